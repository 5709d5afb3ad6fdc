using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IronCage.Http.Tests.Support;
using IronCage.Telemetry;

namespace IronCage.Http.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry (runs alone: meter listeners see every test's measurements)";
}

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests
{
    [Fact]
    public async Task ResolveAsync_CountsLoadsHitsAndUnusableKeys_ByProvider()
    {
        var measurements = new ConcurrentQueue<(long Value, string? Provider, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IronCageTelemetry.Name && instrument.Name == IronCageTelemetry.KeyResolveCount)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? provider = null, outcome = null;
            foreach (var tag in tags)
            {
                provider = tag.Key == IronCageTelemetry.ProviderTag ? tag.Value as string : provider;
                outcome = tag.Key == IronCageTelemetry.OutcomeTag ? tag.Value as string : outcome;
            }

            measurements.Enqueue((value, provider, outcome));
        });
        listener.Start();
        using var harness = new HttpHarness();
        await harness.AddKeyAsync("groq/prod", harness.NewSecret(ProviderId.Groq));

        await harness.Resolver.ResolveAsync(KeyReference.Parse("groq/prod"));
        await harness.Resolver.ResolveAsync(KeyReference.Parse("groq/prod"));
        var missing = async () => await harness.Resolver.ResolveAsync(KeyReference.Parse("groq/missing"));
        await missing.Should().ThrowAsync<NoUsableKeyException>();

        measurements.Where(m => m.Provider == "groq").Select(m => m.Outcome).Should().Equal("load", "hit", "unusable");
    }
}
