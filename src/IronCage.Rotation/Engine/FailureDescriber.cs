using IronCage.Internal;

namespace IronCage.Rotation;

/// <summary>
/// Describes a failed step for <see cref="RotationOperation.LastError"/>, audit records, events, logs and exceptions,
/// with the secrets the operation knows removed by exact match: the key it replaces and the key it brings in (and their
/// base64, base64url and URL-escaped forms), whatever a provider or an adapter echoed them in. Provider text is also
/// scrubbed heuristically where it enters (<see cref="StepFailures.Describe"/> and the adapters).
/// </summary>
internal sealed class FailureDescriber
{
    private readonly ManagedKeyWriter _keys;
    private readonly SecretSealer _sealer;

    public FailureDescriber(ManagedKeyWriter keys, SecretSealer sealer)
    {
        _keys = keys;
        _sealer = sealer;
    }

    public async Task<string> DescribeAsync(RotationOperation operation, Exception exception, CancellationToken cancellationToken)
        => await ScrubAsync(operation, StepFailures.Describe(exception), cancellationToken).ConfigureAwait(false);

    public async Task<string> ScrubAsync(RotationOperation operation, string text, CancellationToken cancellationToken)
    {
        var secrets = await OpenKnownAsync(operation, cancellationToken).ConfigureAwait(false);
        try
        {
            return SecretScrubber.ScrubSecrets(text, secrets);
        }
        finally
        {
            foreach (var secret in secrets)
            {
                secret?.Dispose();
            }
        }
    }

    // The old and the new key, from the key store (or, between creation and storage, the operation's sealed copy). A
    // store or master key that fails here must not hide the failure being described: the heuristic scrub still applies.
    private async Task<List<SecretValue?>> OpenKnownAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var secrets = new List<SecretValue?>(2);
        try
        {
            var managed = await _keys.FindAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            foreach (var versionId in new[] { operation.PreviousVersionId, operation.NewVersionId })
            {
                if (versionId is not null && managed?.FindVersion(versionId) is { } version)
                {
                    secrets.Add(await _sealer.OpenAsync(version, operation.Key, cancellationToken).ConfigureAwait(false));
                }
            }

            if (operation.NewSecret is { } sealedSecret && managed?.FindVersion(operation.NewVersionId) is null)
            {
                secrets.Add(await _sealer.OpenAsync(sealedSecret, operation.Key, operation.NewVersionId, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (Exception ex) when (ex is IronCageException or InvalidOperationException or System.Security.Cryptography.CryptographicException or System.Data.Common.DbException)
        {
            // Described with the heuristic scrub only.
        }

        return secrets;
    }
}
