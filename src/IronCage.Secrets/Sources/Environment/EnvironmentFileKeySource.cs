using System.Runtime.CompilerServices;
using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>
/// Imports keys by the Docker <c>&lt;NAME&gt;_FILE</c> convention: a variable such as <c>OPENAI_API_KEY_FILE</c> names a
/// file (usually under <c>/run/secrets</c>) that holds the value of <c>OPENAI_API_KEY</c>. The value is the file's
/// content with trailing line breaks trimmed.
/// </summary>
/// <remarks>
/// The key names are the ones <see cref="EnvironmentKeySource"/> reads. A variable that names a missing or unreadable
/// file fails the read with a <see cref="KeySourceException"/> naming the variable and the path: a deployment that
/// points at a file it does not mount is broken, and an import must not quietly skip it.
/// </remarks>
public sealed class EnvironmentFileKeySource : IKeySource
{
    private const string Suffix = "_FILE";
    private readonly KeyVariableNames _names;
    private readonly IEnvironmentVariables _environment;

    /// <summary>Creates the source.</summary>
    /// <param name="catalog">The provider catalog whose variable names are read.</param>
    /// <param name="environment">The variables; <see langword="null"/> for the process environment.</param>
    public EnvironmentFileKeySource(IProviderCatalog catalog, IEnvironmentVariables? environment = null)
    {
        _names = new KeyVariableNames(catalog);
        _environment = environment ?? ProcessEnvironmentVariables.Instance;
    }

    /// <inheritdoc />
    public string Name => "env-file";

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var variables = _environment.Names
            .Where(n => n.Length > Suffix.Length && n.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) && _names.IsKeyName(n[..^Suffix.Length]))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var variable in variables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_environment.GetValue(variable) is not { Length: > 0 } path)
            {
                continue;
            }

            var name = variable[..^Suffix.Length];
            var secret = await SecretFile.ReadAsync(path, $"{variable} names {path}", cancellationToken).ConfigureAwait(false);
            if (secret is null)
            {
                continue;
            }

            yield return new KeyCandidate
            {
                Origin = $"env:{variable} ({path})",
                Name = name,
                Secret = secret,
                Attributes = _names.CompanionsFor(name, _environment.GetValue),
            };
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
