namespace IronCage.Encryption;

/// <summary>
/// Where the local master key (the key-encryption key) comes from: 32 random bytes, base64-encoded, from these
/// options, a file, or an environment variable, checked in that order. A missing, short or malformed key stops
/// start-up; IronCage never generates one on its own.
/// </summary>
public sealed class LocalMasterKeyOptions
{
    /// <summary>Gets or sets the master key itself (base64 of 32 bytes). When set, even to an empty string, it is the only source used. Prefer a file or environment variable over a literal.</summary>
    public string? MasterKey { get; set; }

    /// <summary>Gets or sets the path of a file holding the master key (base64 of 32 bytes; surrounding whitespace is ignored).</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Gets or sets the environment variable read when neither <see cref="MasterKey"/> nor <see cref="MasterKeyFile"/> is set.</summary>
    /// <value>The default value is <c>IRONCAGE_MASTER_KEY</c>.</value>
    public string EnvironmentVariable { get; set; } = IronCageConstants.MasterKeyEnvironmentVariable;

    /// <summary>
    /// Gets or sets a key of its own for fingerprints (base64 of at least 32 random bytes). When set, fingerprints stay
    /// the same across master-key rotations; when not, they are derived from the master key and only match while the
    /// master key that made them is configured (current or retired). Recommended for production.
    /// </summary>
    public string? FingerprintKey { get; set; }

    /// <summary>
    /// Gets earlier master keys (base64), kept after a master-key rotation so data keys they wrapped still open until
    /// every secret has been re-wrapped (<see cref="ISecretProtector.RewrapAsync"/>).
    /// </summary>
    public IList<string> RetiredMasterKeys { get; } = [];
}
