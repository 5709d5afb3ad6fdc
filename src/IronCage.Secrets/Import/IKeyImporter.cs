namespace IronCage.Secrets;

/// <summary>
/// Imports the keys a <see cref="IKeySource"/> holds as managed keys: each candidate's provider is detected from its name
/// and its value's prefix, its format validated, the key verified at the provider and registered (sealed) through
/// <see cref="Rotation.IKeyRotator.RegisterAsync"/>. A value that is already a managed key's version (by fingerprint) is
/// never imported twice.
/// </summary>
public interface IKeyImporter
{
    /// <summary>Imports every candidate of a source.</summary>
    /// <param name="source">The source.</param>
    /// <param name="options">How to import; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the import; what was imported before stays imported.</param>
    /// <returns>One entry per candidate; no entry holds a value.</returns>
    /// <exception cref="KeySourceException">The source could not be read.</exception>
    Task<KeyImportReport> ImportAsync(IKeySource source, KeyImportOptions? options = null, CancellationToken cancellationToken = default);
}
