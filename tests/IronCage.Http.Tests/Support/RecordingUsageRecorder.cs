using System.Collections.Concurrent;
using IronCage.Usage;

namespace IronCage.Http.Tests.Support;

/// <summary>An <see cref="IUsageRecorder"/> that keeps every sample, for assertions.</summary>
internal sealed class RecordingUsageRecorder : IUsageRecorder
{
    public ConcurrentQueue<UsageSample> Samples { get; } = new();

    public void Record(in UsageSample sample) => Samples.Enqueue(sample);

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
