namespace IronCage;

/// <summary>What IronCage does with a key after a provider error (see <see cref="ProviderErrorKind.RecommendedAction"/>).</summary>
public enum KeyAction
{
    /// <summary>Nothing key-specific: the error concerns the request, not the key.</summary>
    None = 0,

    /// <summary>Stop using the key and rotate it: the provider no longer accepts it.</summary>
    DisableAndRotate = 1,

    /// <summary>Stop using the key for this kind of request: it is genuine but not permitted.</summary>
    Disable = 2,

    /// <summary>Leave the key alone until the provider's retry-after has passed; use another key meanwhile.</summary>
    CoolDown = 3,

    /// <summary>Stop using the key until its quota or spend limit resets.</summary>
    DisableUntilReset = 4,

    /// <summary>Retry the same request with back-off.</summary>
    Retry = 5,
}
