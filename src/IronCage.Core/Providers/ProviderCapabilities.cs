namespace IronCage.Providers;

/// <summary>
/// What a provider's API allows for its keys. A flag is set when the provider documents the
/// operation, fully or in part (see <see cref="ProviderDescriptor.LimitedCapabilities"/> for the partial ones).
/// </summary>
[Flags]
public enum ProviderCapabilities
{
    /// <summary>No key operation is available by API.</summary>
    None = 0,

    /// <summary>New keys can be created by API.</summary>
    Create = 1 << 0,

    /// <summary>Existing keys can be listed by API.</summary>
    List = 1 << 1,

    /// <summary>A single key's metadata can be read by API.</summary>
    Read = 1 << 2,

    /// <summary>A fixed key slot can be regenerated, which replaces its value (Azure key1/key2).</summary>
    Regenerate = 1 << 3,

    /// <summary>A key can be deactivated (disabled) without being deleted.</summary>
    Deactivate = 1 << 4,

    /// <summary>A key can be deleted (revoked) by API.</summary>
    Delete = 1 << 5,

    /// <summary>A deleted key can be restored within a window (Google's 30-day soft delete).</summary>
    Undelete = 1 << 6,

    /// <summary>The provider supports an expiry on keys (set at creation, or read-only).</summary>
    Expiry = 1 << 7,

    /// <summary>A key can be verified with an authenticated call that costs nothing.</summary>
    Verify = 1 << 8,

    /// <summary>The provider reports per-key usage through its key-management API.</summary>
    ReportsUsage = 1 << 9,

    /// <summary>
    /// IronCage mints keys itself from credentials the host already holds (Amazon Bedrock short-term API keys: a
    /// pre-signed SigV4 token). No provider call creates or revokes them; each dies at its own expiry.
    /// </summary>
    Generate = 1 << 10,
}
