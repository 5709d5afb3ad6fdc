namespace IronCage.Secrets;

/// <summary>
/// A secret store (Azure Key Vault, AWS Secrets Manager, HashiCorp Vault, Kubernetes, Cloudflare Secrets Store) refused
/// or failed a call an import source or a distribution target made. The message names the store, the call and how to
/// fix it (the credential or permission to grant); it never contains a secret.
/// </summary>
public sealed class SecretStoreException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The store, as a name safe to show (for example <c>Azure Key Vault https://contoso.vault.azure.net/</c>).</param>
    /// <param name="kind">What the refusal means.</param>
    /// <param name="message">What went wrong and how to fix it; never a secret.</param>
    /// <param name="innerException">The client's own failure, if any.</param>
    public SecretStoreException(string store, SecretStoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        Kind = kind;
    }

    /// <summary>Gets the store, as a name safe to show.</summary>
    public string Store { get; }

    /// <summary>Gets what the refusal means.</summary>
    public SecretStoreErrorKind Kind { get; }

    /// <summary>Gets the HTTP status the store answered with, if any.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets the store's own error code (for example <c>ForbiddenByRbac</c>, <c>AccessDeniedException</c>), if any.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Gets the store's request id, for its support, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets a value indicating whether the same call may succeed when repeated later.</summary>
    public bool IsTransient => Kind is SecretStoreErrorKind.Throttled or SecretStoreErrorKind.Transient or SecretStoreErrorKind.Conflict;
}
