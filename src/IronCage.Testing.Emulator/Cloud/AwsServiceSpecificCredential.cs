namespace IronCage.Testing.Emulator;

/// <summary>One IAM service-specific credential as <see cref="AwsIamEmulator"/> holds it (for Bedrock: an Amazon Bedrock long-term API key).</summary>
public sealed class AwsServiceSpecificCredential
{
    internal AwsServiceSpecificCredential(string id, string userName, string serviceName, string alias, string secret, string status, DateTimeOffset createDate, DateTimeOffset? expirationDate)
    {
        Id = id;
        UserName = userName;
        ServiceName = serviceName;
        Alias = alias;
        Secret = secret;
        Status = status;
        CreateDate = createDate;
        ExpirationDate = expirationDate;
    }

    /// <summary>Gets the <c>ServiceSpecificCredentialId</c> (<c>ACCA…</c>).</summary>
    public string Id { get; }

    /// <summary>Gets the IAM user the credential belongs to.</summary>
    public string UserName { get; }

    /// <summary>Gets the service it is for (<c>bedrock.amazonaws.com</c>).</summary>
    public string ServiceName { get; }

    /// <summary>Gets the <c>ServiceCredentialAlias</c>, the public part (<c>user+n-at-account</c>).</summary>
    public string Alias { get; }

    /// <summary>Gets the <c>ServiceCredentialSecret</c>: the bearer key Bedrock accepts while the credential is <c>Active</c>.</summary>
    public string Secret { get; }

    /// <summary>Gets the status IAM reports: <c>Active</c>, <c>Inactive</c> or <c>Expired</c> (past <see cref="ExpirationDate"/>).</summary>
    public string Status { get; }

    /// <summary>Gets when it was created.</summary>
    public DateTimeOffset CreateDate { get; }

    /// <summary>Gets when it expires, or <see langword="null"/> for a credential created without <c>CredentialAgeDays</c>.</summary>
    public DateTimeOffset? ExpirationDate { get; }

    /// <summary>Gets the secret as a <see cref="SecretValue"/> the caller disposes.</summary>
    /// <returns>A new secret.</returns>
    public SecretValue ToSecretValue() => SecretValue.FromString(Secret);

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({UserName}, {Status})";
}
