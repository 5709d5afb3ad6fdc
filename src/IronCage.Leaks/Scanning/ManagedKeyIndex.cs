using System.Collections.Frozen;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;

namespace IronCage.Leaks.Scanning;

/// <summary>
/// The fingerprints of every version of every managed key (current, pending, previous and revoked), indexed so a
/// candidate value is matched with one keyed hash and a lookup, never by comparing plaintext.
/// </summary>
/// <remarks>
/// Fingerprints made with the fingerprinter's current fingerprint key are looked up directly; those made with an
/// older fingerprint key (before a master-key rotation) are checked one by one with
/// <see cref="ISecretFingerprinter.Matches"/>, which is rare and bounded by the number of such versions.
/// </remarks>
public sealed class ManagedKeyIndex
{
    private readonly FrozenDictionary<string, ManagedKeyMatch> _byFingerprint;
    private readonly (string Fingerprint, ManagedKeyMatch Match)[] _foreign;
    private readonly ISecretFingerprinter? _fingerprinter;

    private ManagedKeyIndex(FrozenDictionary<string, ManagedKeyMatch> byFingerprint, (string, ManagedKeyMatch)[] foreign, ISecretFingerprinter? fingerprinter, ManagedKeyAnchors liveAnchors)
    {
        _byFingerprint = byFingerprint;
        _foreign = foreign;
        _fingerprinter = fingerprinter;
        LiveAnchors = liveAnchors;
    }

    /// <summary>Gets an index without keys: every finding is <see cref="LeakClassification.Unknown"/>.</summary>
    public static ManagedKeyIndex Empty { get; } = new(FrozenDictionary<string, ManagedKeyMatch>.Empty, [], null, ManagedKeyAnchors.Empty);

    /// <summary>Gets the number of indexed key versions.</summary>
    public int Count => _byFingerprint.Count + _foreign.Length;

    /// <summary>Reads every managed key's versions from a store.</summary>
    /// <param name="store">The key store.</param>
    /// <param name="fingerprinter">The fingerprinter the store's fingerprints were made with.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The index.</returns>
    public static async ValueTask<ManagedKeyIndex> LoadAsync(IKeyStore store, ISecretFingerprinter fingerprinter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(fingerprinter);
        var keys = new List<ManagedKey>();
        await foreach (var key in store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(key);
        }

        return Create(keys, fingerprinter);
    }

    /// <summary>Indexes the versions of the given keys.</summary>
    /// <param name="keys">The managed keys.</param>
    /// <param name="fingerprinter">The fingerprinter the keys' fingerprints were made with.</param>
    /// <returns>The index.</returns>
    public static ManagedKeyIndex Create(IEnumerable<ManagedKey> keys, ISecretFingerprinter fingerprinter)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(fingerprinter);
        var currentPrefix = CurrentPrefix(fingerprinter);
        var direct = new Dictionary<string, ManagedKeyMatch>(StringComparer.Ordinal);
        var foreign = new List<(string, ManagedKeyMatch)>();
        var live = new List<(ProviderId, KeyKind, string?)>();
        foreach (var key in keys)
        {
            foreach (var version in key.Versions)
            {
                if (string.IsNullOrEmpty(version.Fingerprint))
                {
                    continue;
                }

                var match = new ManagedKeyMatch(Classify(version.Stage), key.Reference, version.VersionId);
                if (match.Classification is LeakClassification.ManagedCurrent or LeakClassification.ManagedPrevious)
                {
                    live.Add((key.Reference.Provider, key.Kind, version.DisplayHint));
                }

                if (version.Fingerprint.StartsWith(currentPrefix, StringComparison.Ordinal))
                {
                    direct[version.Fingerprint] = match;
                }
                else
                {
                    foreign.Add((version.Fingerprint, match));
                }
            }
        }

        return new ManagedKeyIndex(direct.ToFrozenDictionary(StringComparer.Ordinal), [.. foreign], fingerprinter, ManagedKeyAnchors.Create(live));
    }

    /// <summary>Gets the live versions' hint anchors, for finding them in a text without the rule search.</summary>
    internal ManagedKeyAnchors LiveAnchors { get; }

    internal ManagedKeyMatch Match(SecretValue candidate, string fingerprint)
    {
        if (_byFingerprint.TryGetValue(fingerprint, out var match))
        {
            return match;
        }

        foreach (var (stored, foreignMatch) in _foreign)
        {
            if (_fingerprinter!.Matches(candidate, stored))
            {
                return foreignMatch;
            }
        }

        return ManagedKeyMatch.None;
    }

    private static LeakClassification Classify(KeyStage stage) => stage switch
    {
        KeyStage.Current or KeyStage.Pending => LeakClassification.ManagedCurrent,
        KeyStage.Previous => LeakClassification.ManagedPrevious,
        _ => LeakClassification.Retired,
    };

    private static string CurrentPrefix(ISecretFingerprinter fingerprinter)
    {
        // fp1.<key id>.<mac>: the prefix up to the second dot names the fingerprint key new fingerprints are made with.
        using var probe = SecretValue.FromString("ironcage-fingerprint-probe");
        var sample = fingerprinter.Compute(probe);
        var first = sample.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : sample.IndexOf('.', first + 1);
        return second < 0 ? sample : sample[..(second + 1)];
    }
}
