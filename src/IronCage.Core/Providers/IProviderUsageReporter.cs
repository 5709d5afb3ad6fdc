namespace IronCage.Providers;

/// <summary>
/// Implemented by a provider adapter whose provider reports a key's spend itself (it advertises
/// <see cref="ProviderCapabilities.ReportsUsage"/>; OpenRouter does). Usage tracking reads it to reconcile what it
/// counted from responses with what the provider bills.
/// </summary>
public interface IProviderUsageReporter
{
    /// <summary>Gets the provider whose usage this reporter reads.</summary>
    ProviderId Provider { get; }

    /// <summary>Reads what the provider reports for one of its keys.</summary>
    /// <param name="context">The managed key and its scope.</param>
    /// <param name="providerKeyId">The provider-side id of the key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The reported usage, or <see langword="null"/> when the provider does not know the key.</returns>
    /// <exception cref="ProviderRequestException">The provider answered with an error.</exception>
    Task<ProviderReportedUsage?> GetReportedUsageAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default);
}
