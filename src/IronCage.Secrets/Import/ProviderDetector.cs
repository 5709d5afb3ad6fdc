using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>
/// Detects a candidate's provider and key kind: from the provider the source knows, else the variable name (the
/// catalog's names and aliases), else the value's distinctive prefix (the longest catalog prefix whose whole format
/// the value matches). A name of one provider holding another provider's prefixed key is a conflict.
/// </summary>
internal sealed class ProviderDetector
{
    private readonly IProviderCatalog _catalog;
    private readonly KeyVariableNames _names;

    public ProviderDetector(IProviderCatalog catalog)
    {
        _catalog = catalog;
        _names = new KeyVariableNames(catalog);
    }

    public Detection Detect(KeyCandidate candidate)
    {
        var byPrefix = ByPrefix(candidate.Secret);
        if (candidate.Provider is { } known)
        {
            var kind = _names.TryGetProvider(candidate.Name, out var named, out var namedKind) && named == known ? namedKind : byPrefix?.Kind ?? KeyKind.Inference;
            return new Detection(known, kind, "the source", byPrefix);
        }

        if (_names.TryGetProvider(candidate.Name, out var provider, out var nameKind))
        {
            return new Detection(provider, nameKind, $"the name {candidate.Name}", byPrefix);
        }

        return byPrefix is { } prefix
            ? new Detection(prefix.Provider, prefix.Kind, $"the prefix '{prefix.Prefix}'", byPrefix)
            : new Detection(null, KeyKind.Inference, null, null);
    }

    private PrefixMatch? ByPrefix(SecretValue secret)
    {
        PrefixMatch? best = null;
        foreach (var descriptor in _catalog.All)
        {
            foreach (var format in descriptor.KeyFormats)
            {
                if (format.Prefix is not { } prefix || format.RequiresContext || (best is { } b && b.Prefix.Length > prefix.Length))
                {
                    continue;
                }

                // An inference format wins over an admin format of the same prefix (OpenRouter's keys look alike).
                if (best is { } same && same.Prefix.Length == prefix.Length && same.Kind == KeyKind.Inference)
                {
                    continue;
                }

                if (format.IsMatch(secret))
                {
                    best = new PrefixMatch(descriptor.Id, format.Kind, prefix);
                }
            }
        }

        return best;
    }

    /// <summary>A value's provider by its prefix.</summary>
    public readonly record struct PrefixMatch(ProviderId Provider, KeyKind Kind, string Prefix);

    /// <summary>What was detected and from what.</summary>
    public readonly record struct Detection(ProviderId? Provider, KeyKind Kind, string? From, PrefixMatch? ByPrefix);
}
