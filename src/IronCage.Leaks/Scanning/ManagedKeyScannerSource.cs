using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Leaks.Scanning;

/// <summary>
/// One compiled <see cref="LeakScanner"/> for a container, over the managed keys of its store: reloaded when the
/// store reports a change (or missed changes) and at least every <see cref="RefreshInterval"/>.
/// </summary>
internal sealed class ManagedKeyScannerSource : IDisposable
{
    private static readonly Duration RefreshInterval = Duration.FromMinutes(5);
    private readonly IKeyStore _store;
    private readonly ISecretFingerprinter _fingerprinter;
    private readonly IClock _clock;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private LeakScanner _scanner;
    private Instant _loadedAt = Instant.MinValue;
    private volatile bool _stale = true;
    private int _refreshing;

    public ManagedKeyScannerSource(IProviderCatalog catalog, IKeyStore store, ISecretFingerprinter fingerprinter, IClock clock)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(fingerprinter);
        ArgumentNullException.ThrowIfNull(clock);
        _store = store;
        _fingerprinter = fingerprinter;
        _clock = clock;
        _scanner = new LeakScanner(catalog, fingerprinter);
        if (store is IKeyChangeFeed feed)
        {
            feed.KeyChanged += (_, _) => _stale = true;
            feed.ChangesMissed += (_, _) => _stale = true;
        }
    }

    /// <summary>Gets the scanner as last loaded, without waiting (its rules without managed keys before the first load).</summary>
    public LeakScanner Last => _scanner;

    /// <summary>Gets a value indicating whether the scanner needs reloading.</summary>
    public bool IsStale => _stale || _clock.GetCurrentInstant() - _loadedAt >= RefreshInterval;

    /// <summary>Gets the scanner over the managed keys as they are now, reloading them when they changed.</summary>
    public async ValueTask<LeakScanner> GetAsync(CancellationToken cancellationToken = default)
    {
        if (!IsStale)
        {
            return _scanner;
        }

        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsStale)
            {
                _stale = false;
                var now = _clock.GetCurrentInstant();
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

    /// <summary>Starts a reload in the background when one is due and none is running; for callers that cannot wait (a redactor).</summary>
    public void RefreshInBackground()
    {
        if (!IsStale || Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await GetAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The last loaded keys stay in use; the next call tries again.
                _stale = true;
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        });
    }

    /// <inheritdoc />
    public void Dispose() => _reload.Dispose();
}
