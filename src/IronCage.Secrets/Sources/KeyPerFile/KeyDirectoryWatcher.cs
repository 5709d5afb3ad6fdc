using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace IronCage.Secrets;

/// <summary>
/// Watches a key-per-file directory (Docker secrets, a mounted Kubernetes Secret) and raises a change when a value file
/// is added, removed or replaced, including the atomic <c>..data</c> link swap with which the kubelet updates a Secret.
/// </summary>
/// <remarks>
/// A <see cref="FileSystemWatcher"/> on the directory triggers a check at once; a poll every
/// <see cref="KeyDirectoryWatcherConstants.DefaultPollInterval"/> catches what it misses (network file systems, a
/// watcher that overflowed, platforms without inotify). A check compares the <c>..data</c> link's target and the
/// length and write time of every value file; it never reads or keeps a value. Use it the way configuration reload
/// works: <c>ChangeToken.OnChange(watcher.GetChangeToken, () => …import again…)</c>.
/// </remarks>
public sealed class KeyDirectoryWatcher : IDisposable
{
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _fileWatcher;
    private readonly ITimer _timer;
    private readonly object _gate = new();
    private CancellationTokenSource _changed = new();
    private string _snapshot;
    private bool _disposed;

    /// <summary>Starts watching.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="pollInterval">How often to poll; <see langword="null"/> for <see cref="KeyDirectoryWatcherConstants.DefaultPollInterval"/>.</param>
    /// <param name="timeProvider">The time source for the poll; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="KeySourceException">The directory does not exist.</exception>
    public KeyDirectoryWatcher(string directory, TimeSpan? pollInterval = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var interval = pollInterval ?? KeyDirectoryWatcherConstants.DefaultPollInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(pollInterval));
        if (!Directory.Exists(directory))
        {
            throw new KeySourceException($"The secrets directory {directory} does not exist. Mount the secrets there or fix the path.");
        }

        _directory = directory;
        _logger = logger ?? NullLogger.Instance;
        _snapshot = Snapshot(directory);
        try
        {
            _fileWatcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _fileWatcher.Created += OnFileEvent;
            _fileWatcher.Deleted += OnFileEvent;
            _fileWatcher.Changed += OnFileEvent;
            _fileWatcher.Renamed += OnFileEvent;
            _fileWatcher.Error += (_, _) => Check();
            _fileWatcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or ArgumentException)
        {
            // Polling alone still notices every change, only later.
            _fileWatcher?.Dispose();
            _fileWatcher = null;
            Log.WatcherPollingOnly(_logger, directory, ex.GetType().Name);
        }

        _timer = (timeProvider ?? TimeProvider.System).CreateTimer(static state => ((KeyDirectoryWatcher)state!).Check(), this, interval, interval);
    }

    /// <summary>Returns a token that fires at the next change; after it fired, ask for a new one.</summary>
    /// <returns>The change token.</returns>
    public IChangeToken GetChangeToken()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new CancellationChangeToken(_changed.Token);
        }
    }

    /// <summary>Compares the directory with the last look and raises a change when it differs.</summary>
    /// <returns><see langword="true"/> when a change was raised.</returns>
    public bool Check()
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            string snapshot;
            try
            {
                snapshot = Snapshot(_directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }

            if (string.Equals(snapshot, _snapshot, StringComparison.Ordinal))
            {
                return false;
            }

            _snapshot = snapshot;
            fired = _changed;
            _changed = new CancellationTokenSource();
        }

        Log.DirectoryChanged(_logger, _directory);
        fired.Cancel();
        fired.Dispose();
        return true;
    }

    /// <summary>Stops watching.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _fileWatcher?.Dispose();
        _timer.Dispose();
        _changed.Dispose();
    }

    // What identifies the directory's contents without reading a value: where ..data points, and each value file's
    // length and write time (through its link).
    private static string Snapshot(string directory)
    {
        var builder = new StringBuilder();
        var data = new FileInfo(Path.Combine(directory, "..data"));
        if (data.LinkTarget is { } target)
        {
            builder.Append("..data->").Append(target).Append('\n');
        }

        foreach (var file in KeyPerFileKeySource.ListValueFiles(directory))
        {
            var info = new FileInfo(file);
            var resolved = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            builder.Append(Path.GetFileName(file)).Append('|')
                .Append(resolved.Exists ? resolved.Length.ToString(CultureInfo.InvariantCulture) : "-").Append('|')
                .Append(resolved.Exists ? resolved.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "-").Append('\n');
        }

        return builder.ToString();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => Check();
}
