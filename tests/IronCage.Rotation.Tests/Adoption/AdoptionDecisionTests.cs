using IronCage.Storage;
using NodaTime;

namespace IronCage.Rotation.Tests.Adoption;

/// <summary>The pure decision: instances × versions × in-flight × floor × ceiling × timeouts.</summary>
public sealed class AdoptionDecisionTests
{
    private static readonly KeyReference Key = new(ProviderId.OpenAI, "prod");
    private static readonly KeyReference Other = new(ProviderId.OpenAI, "batch");
    private static readonly Instant Promoted = Instant.FromUtc(2026, 11, 1, 9, 0);
    private static readonly Instant Floor = Promoted + Duration.FromMinutes(5);
    private static readonly Instant Ceiling = Promoted + Duration.FromHours(24);
    private static readonly Duration Timeout = Duration.FromMinutes(2);

    [Fact]
    public void Evaluate_NoInstancesAfterFloor_Adopted()
    {
        var status = Evaluate(Floor, []);

        status.State.Should().Be(KeyAdoptionState.Adopted);
        status.MayRevoke.Should().BeTrue();
        status.LiveInstances.Should().Be(0);
    }

    [Fact]
    public void Evaluate_EveryoneMovedBeforeFloor_WaitsForFloor()
    {
        var status = Evaluate(Floor - Duration.FromSeconds(1), [Beat("a", Floor - Duration.FromSeconds(2), New())]);

        status.State.Should().Be(KeyAdoptionState.WaitingForFloor);
        status.MayRevoke.Should().BeFalse();
    }

    [Fact]
    public void Evaluate_TwoOfFiveStillServeOld_WaitsAndSaysSo()
    {
        var now = Floor + Duration.FromMinutes(1);
        var status = Evaluate(now, [Beat("a", now, New()), Beat("b", now, Old()), Beat("c", now, New()), Beat("d", now, Old(), New(serving: false)), Beat("e", now, New())]);

        status.State.Should().Be(KeyAdoptionState.Waiting);
        status.InstancesOnPrevious.Should().Equal("b", "d");
        status.LiveInstances.Should().Be(5);
        status.Summary.Should().Contain("2 of 5 instances still on the old version");
    }

    [Fact]
    public void Evaluate_ServesNewButRequestsInFlightOnOld_Waits()
    {
        var now = Floor + Duration.FromMinutes(1);
        var status = Evaluate(now, [Beat("a", now, New(), Old(serving: false, inFlight: 3))]);

        status.State.Should().Be(KeyAdoptionState.Waiting);
        status.InFlightOnPrevious.Should().Be(3);
        status.InstancesOnPrevious.Should().Equal("a");
        status.Summary.Should().Contain("3 requests in flight on the old version");
    }

    [Fact]
    public void Evaluate_InFlightDrainedAndMoved_Adopted()
    {
        var now = Floor + Duration.FromMinutes(1);
        var status = Evaluate(now, [Beat("a", now, New(), Old(serving: false, inFlight: 0))]);

        status.State.Should().Be(KeyAdoptionState.Adopted);
    }

    [Theory]
    [InlineData(119, KeyAdoptionState.Waiting)]
    [InlineData(120, KeyAdoptionState.Waiting)]
    [InlineData(121, KeyAdoptionState.Adopted)]
    public void Evaluate_InstanceOnOldStopsHeartbeating_DropsOutAfterTimeout(int secondsSinceHeartbeat, KeyAdoptionState expected)
    {
        var now = Floor + Duration.FromMinutes(10);
        var status = Evaluate(now, [Beat("killed", now - Duration.FromSeconds(secondsSinceHeartbeat), Old(inFlight: 4)), Beat("live", now, New())]);

        status.State.Should().Be(expected);
        if (expected == KeyAdoptionState.Adopted)
        {
            status.DroppedInstances.Should().Equal("killed");
            status.LiveInstances.Should().Be(1);
            status.InFlightOnPrevious.Should().Be(0, "in-flight counts of a dropped instance no longer hold the key");
        }
    }

    [Fact]
    public void Evaluate_CeilingReachedWhileAnInstanceIsOnOld_RevokesAnyway()
    {
        var status = Evaluate(Ceiling, [Beat("slow", Ceiling, Old(inFlight: 1))]);

        status.State.Should().Be(KeyAdoptionState.CeilingReached);
        status.MayRevoke.Should().BeTrue("the grace period is the ceiling: the old key is never kept past it");
        status.Summary.Should().Contain("revoking anyway");
    }

    [Fact]
    public void Evaluate_CeilingReachedEveryoneMoved_Adopted()
        => Evaluate(Ceiling, [Beat("a", Ceiling, New())]).State.Should().Be(KeyAdoptionState.Adopted);

    [Fact]
    public void Evaluate_InstanceUsesOnlyAnotherKey_IsNotAConsumer()
    {
        var now = Floor + Duration.FromMinutes(1);
        var status = Evaluate(now, [Beat("batch", now, new ServedKeyVersion { Key = Other, VersionId = "ver_old", Serving = true, InFlight = 7 })]);

        status.State.Should().Be(KeyAdoptionState.Adopted);
        status.LiveInstances.Should().Be(0);
    }

    [Fact]
    public void Evaluate_ConsumerNotAdopted_WaitsForIt()
    {
        var now = Floor + Duration.FromMinutes(1);
        var status = AdoptionDecision.Evaluate(Key, "ver_old", now, Floor, Ceiling, Timeout, [Beat("a", now, New())], ["k8s/deploy/api"]);

        status.State.Should().Be(KeyAdoptionState.Waiting);
        status.PendingConsumers.Should().Equal("k8s/deploy/api");
        status.Summary.Should().Contain("waiting for k8s/deploy/api");
    }

    [Theory]
    [InlineData(-1, false, 0, 0, KeyAdoptionState.WaitingForFloor)]
    [InlineData(1, false, 0, 0, KeyAdoptionState.Adopted)]
    [InlineData(1, true, 0, 0, KeyAdoptionState.Waiting)]
    [InlineData(1, false, 2, 0, KeyAdoptionState.Waiting)]
    [InlineData(1, true, 2, 600, KeyAdoptionState.Adopted)]
    [InlineData(1440, true, 2, 0, KeyAdoptionState.CeilingReached)]
    public void Evaluate_Matrix(int minutesAfterFloor, bool servesOld, long inFlightOld, int heartbeatAgeSeconds, KeyAdoptionState expected)
    {
        var now = Floor + Duration.FromMinutes(minutesAfterFloor);
        var status = Evaluate(now, [Beat("a", now - Duration.FromSeconds(heartbeatAgeSeconds), New(serving: !servesOld), Old(serving: servesOld, inFlight: inFlightOld))]);

        status.State.Should().Be(expected);
    }

    [Fact]
    public void SameStory_OnlyCheckedAtDiffers_IsTheSame()
    {
        var now = Floor + Duration.FromMinutes(1);
        var first = Evaluate(now, [Beat("a", now, Old())]);
        var later = Evaluate(now + Duration.FromSeconds(30), [Beat("a", now + Duration.FromSeconds(30), Old())]);

        AdoptionDecision.SameStory(first, later).Should().BeTrue();
        AdoptionDecision.SameStory(first, Evaluate(now, [Beat("a", now, New())])).Should().BeFalse();
    }

    private static KeyAdoptionStatus Evaluate(Instant now, IReadOnlyList<InstanceHeartbeat> heartbeats)
        => AdoptionDecision.Evaluate(Key, "ver_old", now, Floor, Ceiling, Timeout, heartbeats, []);

    private static InstanceHeartbeat Beat(string id, Instant at, params ServedKeyVersion[] versions) => new() { InstanceId = id, SentAt = at, Versions = versions };

    private static ServedKeyVersion Old(bool serving = true, long inFlight = 0) => new() { Key = Key, VersionId = "ver_old", Serving = serving, InFlight = inFlight };

    private static ServedKeyVersion New(bool serving = true) => new() { Key = Key, VersionId = "ver_new", Serving = serving };
}
