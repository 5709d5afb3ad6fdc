namespace IronCage.Testing.Emulator;

/// <summary>
/// Temporary AWS credentials <see cref="AwsIamEmulator"/> issued (as STS would): an access key pair with a session
/// token, accepted until <see cref="Expiration"/>. A Bedrock short-term API key signed with them carries the session
/// token and stops working when they expire, whatever its own <c>X-Amz-Expires</c>.
/// </summary>
public sealed class AwsTemporaryCredentials
{
    internal AwsTemporaryCredentials(string accessKeyId, string secretAccessKey, string sessionToken, DateTimeOffset expiration)
    {
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = sessionToken;
        Expiration = expiration;
    }

    /// <summary>Gets the access key id (<c>ASIA…</c>).</summary>
    public string AccessKeyId { get; }

    /// <summary>Gets the secret access key.</summary>
    public string SecretAccessKey { get; }

    /// <summary>Gets the session token (<c>X-Amz-Security-Token</c>).</summary>
    public string SessionToken { get; }

    /// <summary>Gets when the credentials stop being accepted.</summary>
    public DateTimeOffset Expiration { get; }

    /// <inheritdoc />
    public override string ToString() => $"{AccessKeyId} (temporary, expires {Expiration:O})";
}
