using System.Runtime.CompilerServices;
using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>
/// Imports keys from a key-per-file directory: Docker secrets under <c>/run/secrets</c>, or a Kubernetes Secret mounted
/// as a volume. Each file is one value; its name is the variable name, compared ignoring case with '-' and '.' read as
/// '_' (<c>openai_api_key</c>, <c>OPENAI_API_KEY</c> and <c>openai-api-key</c> are the same key).
/// </summary>
/// <remarks>
/// <para>
/// A mounted Kubernetes Secret is a set of symbolic links (<c>openai_api_key → ..data/openai_api_key</c>) into a
/// timestamped directory (<c>..2026_12_02_16_00_00.123</c>) that the <c>..data</c> link points at; the kubelet updates
/// it by writing a new timestamped directory and renaming a new <c>..data</c> link over the old one. Names starting
/// with '.' (dotfiles, <c>..data</c>, the timestamped directories) are skipped, so every value is read through the
/// <c>..data</c> link, never from a stale timestamped directory. Subdirectories are skipped.
/// </para>
/// <para>
/// Files holding the settings a key needs (<c>azure_openai_endpoint</c>, <c>aws_region</c>) become
/// <see cref="KeyCandidate.Attributes"/> of that key; every other file is a candidate, and one that holds no key the
/// importer recognises is reported as an unknown provider. Trailing line breaks are trimmed; files larger than 64 KiB
/// (certificate bundles, not keys) are skipped. Watch the directory for changes with <see cref="KeyDirectoryWatcher"/>.
/// </para>
/// </remarks>
public sealed class KeyPerFileKeySource : IKeySource
{
    private readonly string _directory;
    private readonly KeyVariableNames _names;

    /// <summary>Creates the source.</summary>
    /// <param name="directory">The directory (for example <c>/run/secrets</c> or a Secret's mount path).</param>
    /// <param name="catalog">The provider catalog whose variable names are matched.</param>
    public KeyPerFileKeySource(string directory, IProviderCatalog catalog)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = directory;
        _names = new KeyVariableNames(catalog);
    }

    /// <inheritdoc />
    public string Name => "dir:" + _directory;

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!Directory.Exists(_directory))
        {
            throw new KeySourceException($"The secrets directory {_directory} does not exist. Mount the secrets there or fix the path.");
        }

        var files = ListValueFiles(_directory);
        var companions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files.Where(f => KeyVariableNames.IsCompanion(Path.GetFileName(f))))
        {
            using var value = await SecretFile.ReadAsync(file, $"The file {file}", cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                companions[KeyVariableNames.Normalize(Path.GetFileName(file)).ToUpperInvariant()] = value.Reveal();
            }
        }

        foreach (var file in files.Where(f => !KeyVariableNames.IsCompanion(Path.GetFileName(f))))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var secret = await SecretFile.ReadAsync(file, $"The file {file}", cancellationToken).ConfigureAwait(false);
            if (secret is null)
            {
                continue;
            }

            var name = Path.GetFileName(file);
            yield return new KeyCandidate
            {
                Origin = "file:" + file,
                Name = name,
                Secret = secret,
                Attributes = _names.CompanionsFor(name, v => companions.GetValueOrDefault(v)),
            };
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>The value files of a key-per-file directory: regular files and links to them, no dotfiles, in name order.</summary>
    internal static List<string> ListValueFiles(string directory)
    {
        var files = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(directory))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || Directory.Exists(path) || !File.Exists(path))
            {
                continue;
            }

            files.Add(path);
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
