using IronCage.Providers;
using IronCage.Verification;
using NodaTime;

namespace IronCage;

/// <summary>Settings for IronCage as a whole, configured with <c>AddIronCage(o => …)</c> and validated at start.</summary>
public sealed class IronCageOptions
{
    /// <summary>Gets or sets how long the previous key stays valid after a rotation, when a key's policy does not say.</summary>
    /// <value>The default value is 24 hours. Must be between 0 and 30 days.</value>
    public Duration DefaultGracePeriod { get; set; } = IronCageConstants.DefaultGracePeriod;

    /// <summary>Gets or sets how long before a provider-side expiry IronCage warns, when a key's policy does not say.</summary>
    /// <value>The default value is 14 days. Must not be negative.</value>
    public Duration DefaultExpiryWarningLead { get; set; } = IronCageConstants.DefaultExpiryWarningLead;

    /// <summary>Gets or sets the timeout of one verification call.</summary>
    /// <value>The default value is 30 seconds. Must be between 1 second and 5 minutes.</value>
    public TimeSpan VerifyTimeout { get; set; } = IronCageConstants.DefaultVerifyTimeout;

    /// <summary>
    /// Gets base addresses that replace a provider's scheme, host and port for the catalog's verify calls
    /// (<see cref="ICatalogKeyVerifier"/>) to it (an emulator, a corporate proxy). Paths are kept.
    /// </summary>
    /// <remarks>A provider adapter package sends its own calls, its verification included, to its connection's <c>BaseAddress</c>.</remarks>
    public IDictionary<ProviderId, Uri> ProviderBaseAddresses { get; } = new Dictionary<ProviderId, Uri>();

    /// <summary>Gets descriptors to add to the built-in catalog, or to replace built-in ones with the same id.</summary>
    public IList<ProviderDescriptor> Providers { get; } = [];

    /// <summary>Adds (or replaces) a provider descriptor.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <returns>These options, for chaining.</returns>
    public IronCageOptions AddProvider(ProviderDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Providers.Add(descriptor);
        return this;
    }
}
