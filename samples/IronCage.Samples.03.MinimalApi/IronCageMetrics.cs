using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IronCage.Telemetry;

namespace IronCage.Samples.MinimalApi;

/// <summary>One series of an instrument: its name, tags, unit and the running total (counters) or sum (histograms).</summary>
public sealed record MetricPoint(string Instrument, string Tags, string? Unit, double Value);

/// <summary>
/// Listens to the <c>IronCage</c> meter with a <see cref="MeterListener"/> and keeps a running total per instrument and
/// tag set, for a JSON endpoint. With OpenTelemetry the same instruments are exported with <c>AddMeter("IronCage")</c>.
/// </summary>
public sealed class IronCageMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Tags), (string? Unit, double Value)> _series = new();

    public IronCageMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IronCageTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<MetricPoint> Snapshot()
        => [.. _series.OrderBy(s => s.Key.Instrument, StringComparer.Ordinal).ThenBy(s => s.Key.Tags, StringComparer.Ordinal).Select(s => new MetricPoint(s.Key.Instrument, s.Key.Tags, s.Value.Unit, s.Value.Value))];

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var tagText = string.Join(",", tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
        _series.AddOrUpdate((instrument.Name, tagText), (instrument.Unit, value), (_, current) => (current.Unit, current.Value + value));
    }
}
