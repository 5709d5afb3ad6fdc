using Azure.Core;
using IronCage.Providers.Http;

namespace IronCage.Providers.AzureOpenAI;

/// <summary>
/// One Azure OpenAI connection: the Microsoft Entra credential that may list and regenerate the account's keys, and
/// defaults for the account a managed key's <see cref="ManagedKey.Scope"/> does not name itself.
/// </summary>
public sealed class AzureOpenAIProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with Azure Resource Manager as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="AzureOpenAIConstants.DefaultBaseAddress"/>).</summary>
    public AzureOpenAIProviderOptions()
        : base(AzureOpenAIConstants.DefaultBaseAddress)
    {
    }

    /// <summary>
    /// Gets or sets the credential the adapter asks for Azure Resource Manager tokens. Its identity needs
    /// <c>Microsoft.CognitiveServices/accounts/listKeys/action</c> and <c>Microsoft.CognitiveServices/accounts/regenerateKey/action</c>
    /// on the account.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: a <c>DefaultAzureCredential</c> (environment, workload identity, managed identity, Azure CLI, …).</value>
    public TokenCredential? Credential { get; set; }

    /// <summary>Gets or sets the token scope; <see langword="null"/> derives it from <see cref="ProviderHttpOptions.BaseAddress"/> (<c>https://management.azure.com/.default</c>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? TokenScope { get; set; }

    /// <summary>Gets or sets the Microsoft.CognitiveServices api-version.</summary>
    /// <value>The default value is <c>2026-03-01</c> (<see cref="AzureOpenAIConstants.DefaultApiVersion"/>).</value>
    public string ApiVersion { get; set; } = AzureOpenAIConstants.DefaultApiVersion;

    /// <summary>Gets or sets the subscription id used when a managed key's scope has no <c>subscription_id</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? SubscriptionId { get; set; }

    /// <summary>Gets or sets the resource group used when a managed key's scope has no <c>resource_group</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ResourceGroup { get; set; }

    /// <summary>Gets or sets the account name used when a managed key's scope has no <c>account_name</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AccountName { get; set; }

    /// <summary>Gets or sets the data-plane endpoint used to verify keys when a managed key's scope has no <c>endpoint</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the first wait between polls of a regeneration answered with 202.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan PollInterval { get; set; } = AzureOpenAIConstants.DefaultPollInterval;

    /// <summary>Gets or sets the longest wait between polls.</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan MaxPollInterval { get; set; } = AzureOpenAIConstants.DefaultMaxPollInterval;

    /// <summary>Gets or sets how long an asynchronous regeneration may take before the call fails as transient.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan OperationTimeout { get; set; } = AzureOpenAIConstants.DefaultOperationTimeout;

    internal ProviderPollSettings Polling => new(PollInterval, MaxPollInterval, OperationTimeout);
}
