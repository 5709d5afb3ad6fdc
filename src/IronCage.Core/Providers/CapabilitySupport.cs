namespace IronCage.Providers;

/// <summary>How far a provider supports one capability (see <see cref="ProviderDescriptor.GetSupport"/>).</summary>
public enum CapabilitySupport
{
    /// <summary>Not available by API.</summary>
    None = 0,

    /// <summary>Available with limits (only some key kinds, read-only, unconfirmed path); the descriptor's notes say which.</summary>
    Limited = 1,

    /// <summary>Available.</summary>
    Full = 2,
}
