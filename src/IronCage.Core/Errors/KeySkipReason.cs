namespace IronCage;

/// <summary>Why the runtime path passed over a key (see <see cref="NoUsableKeyException"/>).</summary>
public enum KeySkipReason
{
    /// <summary>The managed key does not exist.</summary>
    NotFound = 0,

    /// <summary>The managed key has no Current version (never activated, or every version revoked).</summary>
    NoCurrentVersion = 1,

    /// <summary>The version was killed locally and is never served.</summary>
    Killed = 2,

    /// <summary>The key is disabled after the provider rejected it (invalid or forbidden).</summary>
    Disabled = 3,

    /// <summary>The key is cooling down after a provider rate limit.</summary>
    CoolingDown = 4,

    /// <summary>The provider reported its quota or credits exhausted; disabled until the limit resets.</summary>
    QuotaExhausted = 5,

    /// <summary>A hard usage limit or budget of IronCage is reached until the window resets.</summary>
    LimitReached = 6,

    /// <summary>The client-side rate limiter has no permit for the request.</summary>
    RateLimited = 7,

    /// <summary>The key expired at the provider.</summary>
    Expired = 8,
}
