using System.Runtime.CompilerServices;
using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>
/// Imports keys from a <c>.env</c> file: the entries whose names are key names (the catalog's variable names and any
/// other name ending in <c>_API_KEY</c> or <c>_API_TOKEN</c>), with the settings that travel with them (Azure's
/// endpoint and API version, Bedrock's region) as <see cref="KeyCandidate.Attributes"/>. The process environment is
/// never read or changed.
/// </summary>
/// <remarks>
/// The format is the one docker compose and the dotenv libraries read: <c>export </c> prefixes, <c>#</c> comments,
/// single quotes (literal), double quotes (with <c>\n</c>, <c>\"</c>, <c>\\</c> escapes), values over several lines in
/// quotes, and <c>${NAME}</c> expansion only when <see cref="DotEnvKeySourceOptions.ExpandVariables"/> is on. A
/// candidate's origin is <c>&lt;file&gt;:&lt;line&gt; &lt;NAME&gt;</c>; a malformed line fails the read with a
/// <see cref="KeySourceException"/> that names the line, never its value. A name given twice yields the last entry,
/// as the dotenv libraries do.
/// </remarks>
public sealed class DotEnvKeySource : IKeySource
{
    private readonly string _path;
    private readonly KeyVariableNames _names;
    private readonly DotEnvKeySourceOptions _options;

    /// <summary>Creates the source.</summary>
    /// <param name="path">The <c>.env</c> file.</param>
    /// <param name="catalog">The provider catalog whose variable names are read.</param>
    /// <param name="options">How to read the file; <see langword="null"/> for the defaults.</param>
    public DotEnvKeySource(string path, IProviderCatalog catalog, DotEnvKeySourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _names = new KeyVariableNames(catalog);
        _options = options ?? new DotEnvKeySourceOptions();
    }

    /// <inheritdoc />
    public string Name => "dotenv:" + _path;

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(_path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeySourceException($"The .env file {_path} cannot be read ({ex.GetType().Name}). Check the path and its permissions.", ex);
        }

        var entries = DotEnvParser.Parse(text, _path, _options.ExpandVariables, _options.Environment is { } environment ? environment.GetValue : null);
        try
        {
            var last = new Dictionary<string, DotEnvEntry>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                last[entry.Name] = entry;
            }

            string? Lookup(string name) => last.TryGetValue(name, out var e) && !_names.IsKeyName(name) ? new string(e.Value) : null;
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.Value.Length == 0 || !_names.IsKeyName(entry.Name) || !ReferenceEquals(last[entry.Name].Value, entry.Value))
                {
                    continue;
                }

                yield return new KeyCandidate
                {
                    Origin = $"{_path}:{entry.Line} {entry.Name}",
                    Name = entry.Name,
                    Secret = SecretValue.FromChars(entry.Value),
                    Attributes = _names.CompanionsFor(entry.Name, Lookup),
                };
            }
        }
        finally
        {
            foreach (var entry in entries)
            {
                Array.Clear(entry.Value);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
