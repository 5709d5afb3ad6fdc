using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IronCage.Telemetry;

namespace IronCage.Notifications.Tests;

/// <summary>Records one instrument of the IronCage meter, for one sink only (tests run in parallel on one meter).</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(long Value, Dictionary<string, object?> Tags)> _measurements = new();

    public MetricRecorder(string instrument, string sink)
    {
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Name == IronCageTelemetry.Name && published.Name == instrument)
            {
                listener.EnableMeasurementEvents(published);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                all[tag.Key] = tag.Value;
            }

            if (Equals(all.GetValueOrDefault(NotificationTelemetry.SinkTag), sink))
            {
                _measurements.Enqueue((value, all));
            }
        });
        _listener.Start();
    }

    public long Total(string tag, string value) => _measurements.Where(m => Equals(m.Tags.GetValueOrDefault(tag), value)).Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
