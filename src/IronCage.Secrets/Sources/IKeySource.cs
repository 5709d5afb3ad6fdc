namespace IronCage.Secrets;

/// <summary>
/// A place deployments keep provider keys (environment variables, a <c>.env</c> file, a secrets directory, a cloud
/// secret store) that IronCage can import keys from.
/// </summary>
/// <remarks>
/// A source only reads: it yields every candidate it finds and leaves detection, format validation, verification and
/// sealing to the importer. It must never log or otherwise reveal a candidate's value, and it owns nothing it yields:
/// the importer disposes every <see cref="KeyCandidate"/>.
/// </remarks>
public interface IKeySource
{
    /// <summary>Gets the source's name, used in import reports and the audit log (never a secret).</summary>
    string Name { get; }

    /// <summary>Reads every key candidate the source holds.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The candidates, streamed; each is disposed by the caller.</returns>
    IAsyncEnumerable<KeyCandidate> ReadAsync(CancellationToken cancellationToken = default);
}
