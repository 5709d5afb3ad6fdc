using IronCage.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// Sends this host instance's heartbeat: for every managed key its handlers used, the version the resolver hands out
/// now, the requests in flight per version and which versions were used since the previous heartbeat (written to
/// <see cref="KeyVersion.LastUsedAt"/>, batched). The background service of <c>AddInstanceHeartbeat</c> calls it every
/// <see cref="InstanceHeartbeatOptions.Interval"/> and says goodbye when the host stops; tests and hosts with their own
/// loop can call it directly.
/// </summary>
public sealed class InstanceHeartbeatPublisher
{
    private readonly KeyActivityTracker _tracker;
    private readonly IKeyResolver _resolver;
    private readonly IInstanceHeartbeatStore _store;
    private readonly IClock _clock;
    private readonly ILogger<InstanceHeartbeatPublisher> _logger;

    internal InstanceHeartbeatPublisher(KeyActivityTracker tracker, IKeyResolver resolver, IInstanceHeartbeatStore store, IClock clock, IOptions<InstanceHeartbeatOptions> options, ILogger<InstanceHeartbeatPublisher> logger)
    {
        _tracker = tracker;
        _resolver = resolver;
        _store = store;
        _clock = clock;
        _logger = logger;
        InstanceId = options.Value.InstanceId;
    }

    /// <summary>Gets this instance's id in the heartbeat store.</summary>
    public string InstanceId { get; }

    /// <summary>Sends one heartbeat now.</summary>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The heartbeat that was written.</returns>
    public async Task<InstanceHeartbeat> PublishAsync(CancellationToken cancellationToken = default)
    {
        var serving = new Dictionary<KeyReference, string?>();
        foreach (var key in _tracker.Keys)
        {
            try
            {
                // A cache hit: what the next request would be sent with.
                serving[key.Key] = (await _resolver.ResolveAsync(key.Key, cancellationToken).ConfigureAwait(false)).VersionId;
            }
            catch (NoUsableKeyException)
            {
                serving[key.Key] = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The store cannot be read: report the version last used.
                Log.HeartbeatResolveFailed(_logger, key.Key, ex);
            }
        }

        var heartbeat = new InstanceHeartbeat { InstanceId = InstanceId, SentAt = _clock.GetCurrentInstant(), Versions = _tracker.Snapshot(_clock.GetCurrentInstant(), serving) };
        await _store.WriteAsync(heartbeat, cancellationToken).ConfigureAwait(false);
        return heartbeat;
    }

    /// <summary>Removes this instance's heartbeat (a graceful stop), so no rotation waits for it.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the heartbeat is removed.</returns>
    public ValueTask SayGoodbyeAsync(CancellationToken cancellationToken = default) => _store.RemoveAsync(InstanceId, cancellationToken);
}
