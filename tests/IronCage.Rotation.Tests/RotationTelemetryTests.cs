using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IronCage.Telemetry;
using IronCage.Testing;
using NodaTime;

namespace IronCage.Rotation.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RotationTelemetryCollection
{
    public const string Name = "Rotation telemetry (runs alone: meter listeners see every test's measurements)";
}

[Collection(RotationTelemetryCollection.Name)]
public sealed class RotationTelemetryTests
{
    [Fact]
    public async Task CompletedRotation_IsCountedWithItsDurationIncludingTheGracePeriod()
    {
        var counts = new ConcurrentQueue<(string Provider, string Outcome)>();
        var durations = new ConcurrentQueue<(string Provider, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IronCageTelemetry.Name && instrument.Name is IronCageTelemetry.RotationCount or IronCageTelemetry.RotationDuration)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => counts.Enqueue((Tag(tags, IronCageTelemetry.ProviderTag), Tag(tags, IronCageTelemetry.OutcomeTag))));
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) => durations.Enqueue((Tag(tags, IronCageTelemetry.ProviderTag), value)));
        listener.Start();
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.Fireworks));
        var (registered, _) = await harness.RegisterAsync();

        await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        harness.Clock.Advance(Duration.FromHours(24));
        await harness.Rotator.CompleteGraceAsync(registered.Reference);

        counts.Where(c => c.Provider == "fireworks").Should().Equal([("fireworks", IronCageTelemetry.SuccessOutcome)]);
        durations.Where(d => d.Provider == "fireworks").Select(d => d.Seconds).Should().Equal(24 * 3600d);
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string ?? string.Empty;
            }
        }

        return string.Empty;
    }
}
