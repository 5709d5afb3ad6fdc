using System.Diagnostics.Metrics;
using IronCage.Telemetry;

namespace IronCage.Usage.Tests;

public sealed class UsageTelemetryTests
{
    [Fact]
    public async Task FlushAsync_EmitsRequestsTokensByDirectionAndCost()
    {
        var key = KeyReference.Parse("anthropic/telemetry-test");
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IronCageTelemetry.Name && instrument.Name.StartsWith("ironcage.usage.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Collect(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            if (Equals(copy.GetValueOrDefault(IronCageTelemetry.ProviderTag), "anthropic"))
            {
                lock (measurements)
                {
                    measurements.Add((instrument.Name, value, copy));
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Collect(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Collect(i, v, t));
        listener.Start();
        await using var usage = await UsageHarness.CreateAsync();
        usage.Record(key, "claude-sonnet-4", 1_000, 200, times: 2);

        await usage.Recorder.FlushAsync();

        lock (measurements)
        {
            measurements.Should().Contain(m => m.Instrument == IronCageTelemetry.UsageRequests && m.Value == 2);
            measurements.Should().Contain(m => m.Instrument == IronCageTelemetry.UsageTokens && m.Value == 2_000 && Equals(m.Tags[IronCageTelemetry.DirectionTag], "input"));
            measurements.Should().Contain(m => m.Instrument == IronCageTelemetry.UsageTokens && m.Value == 400 && Equals(m.Tags[IronCageTelemetry.DirectionTag], "output"));
            measurements.Should().Contain(m => m.Instrument == IronCageTelemetry.UsageCost && Math.Abs(m.Value - 0.012) < 1e-12);
        }
    }
}
