using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets;

/// <summary>
/// Writes a rotated key to a file that holds only the value (a Docker secret, a file a <c>_FILE</c> variable names),
/// replaced atomically (a temporary file in the same directory, flushed, renamed over the old one) with mode 0600 on
/// Unix. A file that already holds the value is left alone (<see cref="KeyDistributionReceipt.AlreadyCurrent"/>).
/// </summary>
public sealed class FileKeyTarget : IKeyDistributionTarget
{
    private readonly FileKeyTargetOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates the target.</summary>
    /// <param name="options">The file and the key it holds.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The path or the key is missing.</exception>
    public FileKeyTarget(FileKeyTargetOptions options, ILogger<FileKeyTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path, nameof(options));
        if (options.Key.Provider.IsEmpty)
        {
            throw new ArgumentException("FileKeyTargetOptions.Key must name the managed key the file holds, for example openai/prod.", nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Name = options.Name ?? "file:" + options.Path;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool AppliesTo(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Reference == _options.Key;
    }

    /// <inheritdoc />
    public async Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        var written = await WriteAsync(distribution.Secret, cancellationToken).ConfigureAwait(false);
        Log.TargetWritten(_logger, Name, distribution.Key.Reference, distribution.Version.VersionId, distribution.Version.DisplayHint, written ? string.Empty : " (already current)");
        return new KeyDistributionReceipt { AlreadyCurrent = !written };
    }

    /// <inheritdoc />
    public async Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        await WriteAsync(previous.Secret, cancellationToken).ConfigureAwait(false);
        Log.TargetRestored(_logger, Name, previous.Key.Reference, previous.Version.VersionId, previous.Version.DisplayHint);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private async Task<bool> WriteAsync(SecretValue secret, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var current = await AtomicFile.ReadAsync(_options.Path, cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is not null && secret.Matches(current.AsSpan().TrimEnd("\r\n")))
            {
                return false;
            }
        }
        finally
        {
            if (current is not null)
            {
                Array.Clear(current);
            }
        }

        var chars = secret.UseChars(0, static (span, _) => span.ToArray());
        try
        {
            await AtomicFile.WriteAsync(_options.Path, chars, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Array.Clear(chars);
        }

        return true;
    }
}
