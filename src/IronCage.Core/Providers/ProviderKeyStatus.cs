namespace IronCage.Providers;

/// <summary>A key's state at its provider.</summary>
public enum ProviderKeyStatus
{
    /// <summary>The provider did not say.</summary>
    Unknown = 0,

    /// <summary>Usable.</summary>
    Active = 1,

    /// <summary>Deactivated or disabled, but not deleted.</summary>
    Inactive = 2,

    /// <summary>Deleted (possibly restorable, for soft-deleting providers).</summary>
    Deleted = 3,

    /// <summary>Expired.</summary>
    Expired = 4,
}
