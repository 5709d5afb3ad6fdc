using IronCage.Testing;
using NodaTime;

namespace IronCage.Rotation.Tests;

public sealed class SchedulerHeartbeatTests
{
    [Fact]
    public async Task LastPassAt_BeforeAndAfterAPass_IsNullThenTheClockAtTheEnd()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        harness.Scheduler.LastPassAt.Should().BeNull();

        harness.Clock.AdvanceMinutes(5);
        await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        harness.Scheduler.LastPassAt.Should().Be(harness.Clock.GetCurrentInstant());
        harness.Scheduler.Interval.Should().BePositive();
    }
}
