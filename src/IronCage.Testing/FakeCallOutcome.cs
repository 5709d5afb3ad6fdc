namespace IronCage.Testing;

/// <summary>How a recorded call to <see cref="FakeProviderAdapter"/> ended.</summary>
public enum FakeCallOutcome
{
    /// <summary>It succeeded.</summary>
    Succeeded = 0,

    /// <summary>It failed before changing anything.</summary>
    Failed = 1,

    /// <summary>It changed the fake provider's state, then failed (an ambiguous failure, like a timeout after the provider acted).</summary>
    FailedAfterSideEffects = 2,

    /// <summary>It hung until cancelled.</summary>
    Cancelled = 3,

    /// <summary>The adapter does not support the operation.</summary>
    NotSupported = 4,
}
