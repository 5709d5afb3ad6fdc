using IronCage.Encryption;
using IronCage.Storage;

namespace IronCage.Secrets;

/// <summary>The fingerprints of every version of every managed key, to tell whether a value is already managed.</summary>
/// <remarks>
/// A fingerprint made with the current fingerprint key is found by string comparison; one made with an older key (its
/// id differs) is checked with <see cref="ISecretFingerprinter.Matches"/>.
/// </remarks>
internal sealed class ManagedFingerprints
{
    private readonly Dictionary<string, KeyReference> _byFingerprint;
    private readonly List<(string Fingerprint, KeyReference Key)> _others;
    private readonly ISecretFingerprinter _fingerprinter;

    private ManagedFingerprints(ISecretFingerprinter fingerprinter, Dictionary<string, KeyReference> byFingerprint, List<(string, KeyReference)> others)
    {
        _fingerprinter = fingerprinter;
        _byFingerprint = byFingerprint;
        _others = others;
    }

    public static async Task<ManagedFingerprints> LoadAsync(IKeyStore store, ISecretFingerprinter fingerprinter, CancellationToken cancellationToken)
    {
        var all = new Dictionary<string, KeyReference>(StringComparer.Ordinal);
        await foreach (var key in store.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var version in key.Versions)
            {
                all.TryAdd(version.Fingerprint, key.Reference);
            }
        }

        return new ManagedFingerprints(fingerprinter, all, []).SplitByKeyId();
    }

    public KeyReference? Find(SecretValue secret, string fingerprint)
    {
        if (_byFingerprint.TryGetValue(fingerprint, out var key))
        {
            return key;
        }

        foreach (var (other, reference) in _others)
        {
            if (_fingerprinter.Matches(secret, other))
            {
                return reference;
            }
        }

        return null;
    }

    // fp1.<key id>.<mac>: fingerprints whose key id is not the current one cannot be compared as strings.
    private static string KeyIdOf(string fingerprint)
    {
        var first = fingerprint.IndexOf('.', StringComparison.Ordinal);
        var last = fingerprint.LastIndexOf('.');
        return first >= 0 && last > first ? fingerprint[(first + 1)..last] : string.Empty;
    }

    private ManagedFingerprints SplitByKeyId()
    {
        if (_byFingerprint.Count == 0)
        {
            return this;
        }

        using var probe = SecretValue.FromString("ironcage-fingerprint-key-probe");
        var current = KeyIdOf(_fingerprinter.Compute(probe));
        var same = new Dictionary<string, KeyReference>(StringComparer.Ordinal);
        var others = new List<(string, KeyReference)>();
        foreach (var (fingerprint, key) in _byFingerprint)
        {
            if (string.Equals(KeyIdOf(fingerprint), current, StringComparison.Ordinal))
            {
                same[fingerprint] = key;
            }
            else
            {
                others.Add((fingerprint, key));
            }
        }

        return new ManagedFingerprints(_fingerprinter, same, others);
    }
}
