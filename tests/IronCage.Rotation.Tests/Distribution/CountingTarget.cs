using System.Collections.Concurrent;

namespace IronCage.Rotation.Tests.Distribution;

/// <summary>A distribution target that keeps the value it holds, counts its calls, can fail a number of times, and records restores.</summary>
internal sealed class CountingTarget(string name) : IKeyDistributionTarget
{
    private readonly ConcurrentQueue<string> _restores = new();
    private int _calls;
    private int _restoreCalls;
    private int _version;

    public string Name { get; } = name;

    /// <summary>Gets or sets how many calls fail before one succeeds.</summary>
    public int FailuresLeft { get; set; }

    /// <summary>Gets or sets what a failing call throws.</summary>
    public Func<Exception> Failure { get; set; } = () => new HttpRequestException("The target did not answer.");

    /// <summary>Gets or sets how many restores fail (with <see cref="HttpRequestException"/>, a transient failure) before one succeeds.</summary>
    public int RestoreFailuresLeft { get; set; }

    /// <summary>Gets how many restores were attempted, failed ones included.</summary>
    public int RestoreCalls => Volatile.Read(ref _restoreCalls);

    /// <summary>Gets or sets what runs inside each successful write (before it returns).</summary>
    public Action<KeyDistribution>? OnWrite { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public string? Value { get; private set; }

    public string? VersionId { get; private set; }

    public IReadOnlyList<string> Restores => [.. _restores];

    public bool AppliesTo(ManagedKey key) => true;

    public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw Failure();
        }

        OnWrite?.Invoke(distribution);
        var value = distribution.Secret.Reveal();
        if (value == Value)
        {
            return Task.FromResult(new KeyDistributionReceipt { TargetVersion = $"{Name}-v{_version}", AlreadyCurrent = true });
        }

        Value = value;
        VersionId = distribution.Version.VersionId;
        var written = Interlocked.Increment(ref _version);
        return Task.FromResult(new KeyDistributionReceipt { TargetVersion = $"{Name}-v{written}" });
    }

    public Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _restoreCalls);
        if (RestoreFailuresLeft > 0)
        {
            RestoreFailuresLeft--;
            throw new HttpRequestException("The target did not answer the restore.");
        }

        Value = previous.Secret.Reveal();
        VersionId = previous.Version.VersionId;
        _restores.Enqueue(previous.Version.VersionId);
        return Task.CompletedTask;
    }
}
