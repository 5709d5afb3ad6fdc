using IronCage.Providers;
using IronCage.Verification;

namespace IronCage.Rotation;

/// <summary>
/// Everything the rotation flow reads about providers, in one place: the registered adapters and the injected
/// <see cref="IProviderCatalog"/> (built-in plus host descriptors). It holds the one tier resolution and the one
/// verification path, so a host's own descriptor (verify call, console URL, slots) is honoured everywhere.
/// </summary>
internal sealed class RotationProviders
{
    private static readonly string[] DefaultSlots = ["Key1", "Key2"];

    private readonly Dictionary<ProviderId, IProviderAdapter> _adapters = [];
    private readonly IProviderCatalog _catalog;
    private readonly IKeyVerifier _verifier;

    public RotationProviders(IEnumerable<IProviderAdapter> adapters, IProviderCatalog catalog, IKeyVerifier verifier)
    {
        foreach (var adapter in adapters)
        {
            _adapters[adapter.Provider] = adapter;
        }

        _catalog = catalog;
        _verifier = verifier;
    }

    public IProviderAdapter? Find(ProviderId provider) => _adapters.GetValueOrDefault(provider);

    public IProviderAdapter Require(KeyReference key)
        => Find(key.Provider)
            ?? throw new IronCageException($"No provider adapter is registered for '{key.Provider}'. Add the provider's IronCage package (for example AddOpenAI) or register an IProviderAdapter.");

    /// <summary>The tier a key of <paramref name="provider"/> rotates with: Manual without an adapter, or when a new key cannot be verified.</summary>
    public RotationTier TierOf(ProviderId provider)
        => Find(provider) is { } adapter
            ? ProviderDescriptor.ResolveTier(adapter.Capabilities, adapter.Capabilities.HasFlag(ProviderCapabilities.Verify) || CatalogVerifyCall(provider))
            : RotationTier.Manual;

    /// <summary>
    /// Says how to fix a key of <paramref name="provider"/> falling back to the Manual tier only because no adapter is
    /// registered, although the catalog says IronCage can rotate the provider's keys itself; <see langword="null"/> otherwise.
    /// </summary>
    public string? MissingAdapterFix(ProviderId provider)
        => Find(provider) is null && _catalog.TryGetDescriptor(provider, out var descriptor) && descriptor.Tier != RotationTier.Manual
            ? $"No provider adapter is registered for '{provider}', so its keys rotate as Manual (reminders only, a person creates each new key), although {descriptor.DisplayName} supports the {descriptor.Tier} tier. Register its adapter (the IronCage.Providers package's Add… method, for example AddOpenAI) with an admin key to rotate automatically, or keep Manual on purpose."
            : null;

    public Uri? ConsoleUri(ProviderId provider) => _catalog.TryGetDescriptor(provider, out var descriptor) ? descriptor.ConsoleUrl : null;

    public string ConsoleUrl(ProviderId provider) => ConsoleUri(provider)?.ToString() ?? "the provider's console";

    /// <summary>Whether keys of <paramref name="provider"/> carry the name their create gave them (<see cref="ProviderDescriptor.CreateSetsKeyName"/>); a provider the catalog does not know is assumed to name them.</summary>
    public bool CreateSetsKeyName(ProviderId provider)
        => !_catalog.TryGetDescriptor(provider, out var descriptor) || descriptor.CreateSetsKeyName;

    /// <summary>The provider's fixed key slots from the catalog; Key1 and Key2 when the catalog does not name them.</summary>
    public IReadOnlyList<string> SlotsOf(ProviderId provider)
        => _catalog.TryGetDescriptor(provider, out var descriptor) && descriptor.KeySlots.Count > 0 ? descriptor.KeySlots : DefaultSlots;

    /// <summary>The slot <paramref name="providerKeyId"/> names, when the catalog says the provider's keys are slots.</summary>
    public string? SlotOf(ProviderId provider, string? providerKeyId)
        => providerKeyId is not null && _catalog.TryGetDescriptor(provider, out var descriptor) && descriptor.KeySlots.Contains(providerKeyId) ? providerKeyId : null;

    /// <summary>
    /// Verifies through <see cref="IKeyVerifier"/>, the one verification path: the adapter when it verifies (it knows the
    /// provider's scope and endpoints), the catalog's verify call otherwise (a host descriptor's included).
    /// </summary>
    public Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue secret, CancellationToken cancellationToken)
        => _verifier.VerifyAsync(context, secret, cancellationToken);

    /// <summary>Finds the provider's record of a key a person created, by its redacted display hint among the active keys.</summary>
    public async Task<ProviderKeyInfo> FindListedKeyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken)
    {
        var adapter = Require(context.Key);
        var matches = new List<ProviderKeyInfo>();
        await foreach (var info in adapter.ListKeysAsync(context, cancellationToken).ConfigureAwait(false))
        {
            if (info.Status == ProviderKeyStatus.Active && info.DisplayHint is { } hint && HintMatches(hint, key))
            {
                matches.Add(info);
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new IronCageException($"The key is not among the active keys the provider lists for '{context.Key}'. Check that it belongs to the same organization, project or workspace ({ConsoleUrl(context.Key.Provider)}), or give its provider-side id."),
            _ => throw new IronCageException($"{matches.Count} active keys at the provider match the supplied key's hint; deactivate the unused ones in the console and supply the key again."),
        };
    }

    private bool CatalogVerifyCall(ProviderId provider) => _catalog.TryGetDescriptor(provider, out var descriptor) && descriptor.VerifyCall is not null;

    // Providers show a redacted form such as "sk-ant-api03-R2D...igAA": the supplied key must start and end the same way.
    private static bool HintMatches(string hint, SecretValue key)
    {
        var separator = hint.Contains("...", StringComparison.Ordinal) ? "..." : "…";
        var cut = hint.IndexOf(separator, StringComparison.Ordinal);
        if (cut < 0)
        {
            return false;
        }

        var prefix = hint[..cut];
        var suffix = hint[(cut + separator.Length)..];
        return key.UseChars((prefix, suffix), static (chars, s) => chars.Length > s.prefix.Length + s.suffix.Length && chars.StartsWith(s.prefix) && chars.EndsWith(s.suffix));
    }
}
