using System.Runtime.CompilerServices;
using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>
/// Imports keys from environment variables: every name of the provider catalog (<c>OPENAI_API_KEY</c>,
/// <c>ANTHROPIC_API_KEY</c> or <c>CLAUDE_API_KEY</c>, <c>AZURE_OPENAI_API_KEY</c>, admin key names, and any name a host's
/// descriptor adds) and every other name ending in <c>_API_KEY</c> or <c>_API_TOKEN</c>.
/// </summary>
/// <remarks>
/// Settings a key needs travel with it as <see cref="KeyCandidate.Attributes"/>: <c>AZURE_OPENAI_ENDPOINT</c> and
/// <c>AZURE_OPENAI_API_VERSION</c> with an Azure OpenAI key, <c>AWS_REGION</c> (or <c>AWS_DEFAULT_REGION</c>) with a
/// Bedrock API key (<c>AWS_BEARER_TOKEN_BEDROCK</c>). AWS's access key pair (<c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c>) is the Bedrock adapter's IAM credential, not a Bedrock API key, and is never imported.
/// Empty variables are skipped. The Docker <c>_FILE</c> variables are <see cref="EnvironmentFileKeySource"/>'s.
/// </remarks>
public sealed class EnvironmentKeySource : IKeySource
{
    private readonly KeyVariableNames _names;
    private readonly IEnvironmentVariables _environment;

    /// <summary>Creates the source.</summary>
    /// <param name="catalog">The provider catalog whose variable names are read.</param>
    /// <param name="environment">The variables; <see langword="null"/> for the process environment.</param>
    public EnvironmentKeySource(IProviderCatalog catalog, IEnvironmentVariables? environment = null)
    {
        _names = new KeyVariableNames(catalog);
        _environment = environment ?? ProcessEnvironmentVariables.Instance;
    }

    /// <inheritdoc />
    public string Name => "env";

    /// <inheritdoc />
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var name in _environment.Names.Where(_names.IsKeyName).Order(StringComparer.Ordinal).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_environment.GetValue(name) is not { Length: > 0 } value)
            {
                continue;
            }

            yield return new KeyCandidate
            {
                Origin = "env:" + name,
                Name = name,
                Secret = SecretValue.FromString(value),
                Attributes = _names.CompanionsFor(name, _environment.GetValue),
            };
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
