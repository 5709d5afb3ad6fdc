using Azure;
using Azure.Identity;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>Turns the SDK's failures into <see cref="SecretStoreException"/>s that say which permission to grant.</summary>
internal static class KeyVaultErrors
{
    public static string Store(Uri vault) => $"Azure Key Vault {vault}";

    public static SecretStoreException From(Exception exception, Uri vault, string action, string secret, string permission)
    {
        var store = Store(vault);
        if (exception is AuthenticationFailedException or CredentialUnavailableException)
        {
            return new SecretStoreException(store, SecretStoreErrorKind.Unauthenticated, $"{store}: could not get a token to {action} secret {secret}: {exception.GetType().Name}. Check the credential (tenant, client id and secret or certificate, or the managed identity) configured for the Key Vault source or target.", exception);
        }

        if (exception is not RequestFailedException failed)
        {
            return new SecretStoreException(store, SecretStoreErrorKind.Transient, $"{store}: {action} secret {secret} failed ({exception.GetType().Name}). Check that the vault is reachable from this host.", exception);
        }

        var kind = failed.Status switch
        {
            401 => SecretStoreErrorKind.Unauthenticated,
            403 => SecretStoreErrorKind.Forbidden,
            404 => SecretStoreErrorKind.NotFound,
            409 => SecretStoreErrorKind.Conflict,
            429 => SecretStoreErrorKind.Throttled,
            >= 500 or 0 => SecretStoreErrorKind.Transient,
            _ => SecretStoreErrorKind.Unknown,
        };
        var fix = kind switch
        {
            SecretStoreErrorKind.Unauthenticated => "Key Vault rejected the token: check that the credential belongs to the vault's tenant and that its client secret or certificate has not expired.",
            SecretStoreErrorKind.Forbidden => $"Grant the identity the '{permission}' role on the vault (Azure RBAC), or the matching secret permissions (get, list, set) in its access policy.",
            SecretStoreErrorKind.NotFound => "Check the vault URI and the secret name.",
            SecretStoreErrorKind.Throttled => "Key Vault throttled the call; it is retried later.",
            _ => "Retry later; if it persists, check the vault's status.",
        };
        return new SecretStoreException(store, kind, $"{store}: {action} secret {secret} failed with {failed.Status} ({failed.ErrorCode ?? "no error code"}). {fix}", exception)
        {
            StatusCode = failed.Status,
            ErrorCode = failed.ErrorCode,
            RequestId = failed.GetRawResponse()?.ClientRequestId,
        };
    }
}
