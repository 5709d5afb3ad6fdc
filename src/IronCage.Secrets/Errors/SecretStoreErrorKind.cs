namespace IronCage.Secrets;

/// <summary>What a secret store's refusal means for the caller; see <see cref="SecretStoreException.Kind"/>.</summary>
public enum SecretStoreErrorKind
{
    /// <summary>The store answered in a way IronCage does not recognize.</summary>
    Unknown,

    /// <summary>The credential is missing, wrong or expired (Key Vault 401, AWS <c>UnrecognizedClientException</c>, Vault 403 on an unknown token, Kubernetes 401).</summary>
    Unauthenticated,

    /// <summary>The credential is valid but lacks a permission the call needs (Key Vault 403, AWS <c>AccessDeniedException</c>, a Vault policy, Kubernetes RBAC).</summary>
    Forbidden,

    /// <summary>The secret, store or object does not exist.</summary>
    NotFound,

    /// <summary>A concurrent writer changed the secret first (Vault check-and-set, an AWS version that already exists with another value); the call may succeed when repeated.</summary>
    Conflict,

    /// <summary>The store throttled the caller; retry later.</summary>
    Throttled,

    /// <summary>The store or the network failed; retry later.</summary>
    Transient,
}
