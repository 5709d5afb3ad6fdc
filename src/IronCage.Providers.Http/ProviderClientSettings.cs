namespace IronCage.Providers.Http;

/// <summary>What a provider package tells <see cref="ProviderHttpIronCageBuilderExtensions.AddProviderConnection{TOptions}(IIronCageBuilder, string, Action{TOptions}, ProviderClientSettings)"/> about its HTTP client.</summary>
/// <param name="HttpClientName">The name of the package's <see cref="HttpClient"/> (<c>&lt;Name&gt;Constants.HttpClientName</c>).</param>
/// <param name="AddMethod">The package's public <c>Add&lt;Provider&gt;</c> method, named in error messages.</param>
public sealed record ProviderClientSettings(string HttpClientName, string AddMethod)
{
    /// <summary>
    /// Gets a value indicating whether throttled answers (429, or what the call's classifier calls
    /// <see cref="ProviderErrorKind.RateLimited"/>) are retried for every call, creates included. Right for management
    /// APIs whose throttling is brief and means the call was not acted on (Azure Resource Manager, Google APIs, IAM).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: a throttled call goes back to the caller, which reschedules.</value>
    public bool RetryThrottled { get; init; }
}
