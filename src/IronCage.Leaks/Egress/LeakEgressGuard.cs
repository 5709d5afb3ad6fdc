using System.Buffers;
using System.Text;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Leaks.Response;
using IronCage.Leaks.Scanning;
using IronCage.Notifications;
using IronCage.Providers;
using IronCage.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Leaks.Egress;

/// <summary>
/// Checks outgoing request bodies for managed keys' values: candidates are found by the providers' key shapes (the
/// scanner's compiled patterns), and only candidates are fingerprinted and looked up, so a body without a key-shaped
/// token costs one pattern search. Used by the handler <c>AddLeakEgressGuard()</c> adds to an HTTP client.
/// </summary>
public sealed class LeakEgressGuard : IDisposable
{
    private readonly IKeyStore _store;
    private readonly ISecretFingerprinter _fingerprinter;
    private readonly IAuditLog _audit;
    private readonly IClock _clock;
    private readonly LeakEgressGuardOptions _options;
    private readonly INotificationPublisher? _notifications;
    private readonly ILogger _logger;
    private readonly IProviderCatalog _catalog;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private LeakScanner _scanner;
    private Instant _loadedAt = Instant.MinValue;
    private volatile bool _stale = true;

    /// <summary>Creates the guard.</summary>
    /// <param name="catalog">The provider catalog.</param>
    /// <param name="store">The key store whose keys are guarded.</param>
    /// <param name="fingerprinter">The fingerprinter the store's fingerprints were made with.</param>
    /// <param name="audit">The audit log.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="notifications">The notification publisher, when notifications are set up.</param>
    public LeakEgressGuard(IProviderCatalog catalog, IKeyStore store, ISecretFingerprinter fingerprinter, IAuditLog audit, IClock clock, IOptions<LeakEgressGuardOptions> options, ILogger<LeakEgressGuard> logger, INotificationPublisher? notifications = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(fingerprinter);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _catalog = catalog;
        _store = store;
        _fingerprinter = fingerprinter;
        _audit = audit;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        _notifications = notifications;
        _scanner = new LeakScanner(catalog, fingerprinter);
        if (store is IKeyChangeFeed feed)
        {
            feed.KeyChanged += (_, _) => _stale = true;
            feed.ChangesMissed += (_, _) => _stale = true;
        }
    }

    /// <summary>Refuses a request whose body carries a live managed key's value.</summary>
    /// <param name="request">The request about to be sent.</param>
    /// <param name="cancellationToken">A token to cancel the check.</param>
    /// <returns>A task that completes when the request may be sent.</returns>
    /// <exception cref="LeakedKeyEgressException">The body carries a managed key's value; the attempt was audited.</exception>
    public async ValueTask EnsureAllowedAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Content is null || request.Content.Headers.ContentLength > _options.MaxBodyBytes)
        {
            return;
        }

        var scanner = await CurrentScannerAsync(cancellationToken).ConfigureAwait(false);
        if (scanner.ManagedKeys.Count == 0)
        {
            return;
        }

        var content = request.Content;
        if (content is ByteArrayContent && content.Headers.ContentLength is long declared)
        {
            // String, byte-array and form bodies are re-readable: copy them into a pooled buffer, no buffering.
            var length = (int)declared;
            var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            LeakFinding? found;
            try
            {
                using (var sink = new MemoryStream(rented, 0, length, writable: true))
                {
                    content.CopyTo(sink, null, cancellationToken);
                    length = (int)sink.Position;
                }

                found = Inspect(scanner, rented.AsSpan(0, length));
            }
            finally
            {
                rented.AsSpan(0, length).Clear();
                ArrayPool<byte>.Shared.Return(rented);
            }

            if (found is { ManagedKey: { } managed })
            {
                await RefuseAsync(request, found, managed, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Other bodies are buffered so they can still be sent after they were read.
#if NET9_0_OR_GREATER
        await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
#else
        await content.LoadIntoBufferAsync().ConfigureAwait(false);
#endif
        var bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (bytes.Length > _options.MaxBodyBytes)
        {
            return;
        }

        if (Inspect(scanner, bytes) is { ManagedKey: { } key } finding)
        {
            await RefuseAsync(request, finding, key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reload.Dispose();

    internal static LeakFinding? Inspect(LeakScanner scanner, ReadOnlySpan<byte> utf8) => scanner.FindLiveManagedKey(utf8);

    private async ValueTask<LeakScanner> CurrentScannerAsync(CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        if (!_stale && now - _loadedAt < Duration.FromTimeSpan(_options.RefreshInterval))
        {
            return _scanner;
        }

        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stale || now - _loadedAt >= Duration.FromTimeSpan(_options.RefreshInterval))
            {
                _stale = false;
                var index = await ManagedKeyIndex.LoadAsync(_store, _fingerprinter, cancellationToken).ConfigureAwait(false);
                _scanner = _scanner.WithManagedKeys(index);
                _loadedAt = now;
            }

            return _scanner;
        }
        finally
        {
            _reload.Release();
        }
    }

    private async Task RefuseAsync(HttpRequestMessage request, LeakFinding finding, KeyReference key, CancellationToken cancellationToken)
    {
        var target = request.RequestUri?.GetLeftPart(UriPartial.Path) ?? "(no URI)";
        Log.EgressBlocked(_logger, key, finding.Hint, target);
        await _audit.AppendAsync(
            new AuditEvent
            {
                Actor = "ironcage-egress-guard",
                Action = LeakAuditActions.EgressBlocked,
                Target = key.ToString(),
                Timestamp = _clock.GetCurrentInstant(),
                Reason = $"A request to {target} carried the key's value in its body; it was not sent.",
                Outcome = AuditOutcome.Failure,
                Details = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["source"] = "egress-guard",
                    ["destination"] = target,
                    ["hint"] = finding.Hint,
                    ["fingerprint"] = finding.Fingerprint,
                    ["classification"] = finding.Classification.ToString(),
                    ["version"] = finding.VersionId ?? string.Empty,
                },
            },
            cancellationToken).ConfigureAwait(false);
        _notifications?.Publish(new KeyLeakedEvent
        {
            Key = key,
            OccurredAt = _clock.GetCurrentInstant(),
            ConsoleUrl = _catalog.TryGetDescriptor(finding.Provider, out var descriptor) ? descriptor.ConsoleUrl : null,
            Hint = finding.Hint,
            Location = new LeakLocation { Path = target },
            Source = "egress-guard",
            Classification = finding.Classification,
            Outcome = LeakResponseOutcome.Alerted,
        });
        throw new LeakedKeyEgressException(key, finding.Provider, finding.Hint, request.RequestUri);
    }
}
