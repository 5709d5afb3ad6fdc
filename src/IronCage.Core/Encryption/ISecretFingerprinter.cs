namespace IronCage.Encryption;

/// <summary>
/// Computes keyed fingerprints of secrets (HMAC-SHA256), stored with each version so leaked text can be matched
/// to a managed key without storing or comparing plaintext.
/// </summary>
public interface ISecretFingerprinter
{
    /// <summary>Computes a secret's fingerprint with the current fingerprint key.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns>A fingerprint such as <c>fp1.local-0123456789abcdef.Base64Url</c>.</returns>
    string Compute(SecretValue secret);

    /// <summary>Checks whether a secret has a given fingerprint, using the fingerprint key that produced it.</summary>
    /// <param name="secret">The secret.</param>
    /// <param name="fingerprint">A fingerprint from <see cref="Compute"/>.</param>
    /// <returns><see langword="true"/> when it matches; <see langword="false"/> when it does not or its key is unknown.</returns>
    bool Matches(SecretValue secret, string fingerprint);
}
