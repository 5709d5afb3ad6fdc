using System.Collections.Frozen;
using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>
/// The variable names the catalog knows (every provider's <see cref="ProviderDescriptor.EnvironmentVariables"/> and
/// <see cref="ProviderDescriptor.AdminEnvironmentVariables"/>, aliases included), which other names look like keys, and
/// the non-secret settings that travel with a key (Azure's endpoint and API version, Bedrock's region).
/// </summary>
internal sealed class KeyVariableNames
{
    // Settings a key needs, read next to it: variable → scope key the provider adapters read.
    private static readonly (ProviderId Provider, string Variable, string ScopeKey)[] Companions =
    [
        (ProviderId.AzureOpenAI, "AZURE_OPENAI_ENDPOINT", "endpoint"),
        (ProviderId.AzureOpenAI, "AZURE_OPENAI_API_VERSION", "api-version"),
        (ProviderId.AwsBedrock, "AWS_REGION", "region"),
        (ProviderId.AwsBedrock, "AWS_DEFAULT_REGION", "region"),

        // What the official OpenAI SDKs read next to OPENAI_API_KEY; the OpenAI adapter's project_id scope entry
        // (OpenAIConstants.ProjectIdScopeKey), without which a project key can be neither found nor rotated.
        (ProviderId.OpenAI, "OPENAI_PROJECT_ID", "project_id"),
    ];

    // AWS's access key pair are IAM credentials (the Bedrock adapter's own), not a Bedrock API key
    // (AWS_BEARER_TOKEN_BEDROCK): never imported as a managed key.
    private static readonly FrozenSet<string> NeverKeys = FrozenSet.ToFrozenSet(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> CompanionNames = Companions.Select(c => c.Variable).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, (ProviderId Provider, KeyKind Kind)> _known;

    public KeyVariableNames(IProviderCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var known = new Dictionary<string, (ProviderId, KeyKind)>(StringComparer.OrdinalIgnoreCase);
        foreach (var descriptor in catalog.All)
        {
            foreach (var name in descriptor.EnvironmentVariables)
            {
                known.TryAdd(name, (descriptor.Id, KeyKind.Inference));
            }

            foreach (var name in descriptor.AdminEnvironmentVariables)
            {
                known.TryAdd(name, (descriptor.Id, KeyKind.Admin));
            }
        }

        _known = known.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets every variable name of the catalog.</summary>
    public IEnumerable<string> KnownNames => _known.Keys;

    /// <summary>Returns the provider and key kind a variable (or file) name belongs to.</summary>
    public bool TryGetProvider(string? name, out ProviderId provider, out KeyKind kind)
    {
        if (name is not null && _known.TryGetValue(Normalize(name), out var found))
        {
            (provider, kind) = found;
            return true;
        }

        (provider, kind) = (default, KeyKind.Inference);
        return false;
    }

    /// <summary>Returns whether a name holds a key: a catalog name, or one that ends like a key's name (<c>_API_KEY</c>, <c>_API_TOKEN</c>).</summary>
    public bool IsKeyName(string name)
    {
        var normalized = Normalize(name);
        if (_known.ContainsKey(normalized))
        {
            return true;
        }

        return !NeverKeys.Contains(normalized) && !CompanionNames.Contains(normalized)
            && (normalized.EndsWith("_API_KEY", StringComparison.OrdinalIgnoreCase) || normalized.EndsWith("_API_TOKEN", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Returns whether a name is a setting that travels with a key rather than a key.</summary>
    public static bool IsCompanion(string name) => CompanionNames.Contains(Normalize(name));

    /// <summary>Collects the settings a key of <paramref name="name"/>'s provider needs, by variable name.</summary>
    public IReadOnlyDictionary<string, string> CompanionsFor(string name, Func<string, string?> lookup)
    {
        if (!TryGetProvider(name, out var provider, out _))
        {
            return FrozenDictionary<string, string>.Empty;
        }

        Dictionary<string, string>? found = null;
        foreach (var companion in Companions)
        {
            if (companion.Provider == provider && lookup(companion.Variable) is { Length: > 0 } value)
            {
                (found ??= new(StringComparer.Ordinal))[companion.Variable] = value;
            }
        }

        return found is null ? FrozenDictionary<string, string>.Empty : found.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Maps a candidate's attributes (variable names) to the scope keys the provider adapters read.</summary>
    public static Dictionary<string, string> ToScope(IReadOnlyDictionary<string, string> attributes)
    {
        var scope = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (variable, value) in attributes)
        {
            var companion = Array.Find(Companions, c => string.Equals(c.Variable, Normalize(variable), StringComparison.OrdinalIgnoreCase));
            scope.TryAdd(companion.ScopeKey ?? variable, value);
        }

        return scope;
    }

    // File names in secrets directories are often lower case with '-' or '.' (openai-api-key).
    public static string Normalize(string name) => name.Replace('-', '_').Replace('.', '_');
}
