namespace IronCage.Secrets.CloudflareAiGateway;

/// <summary>Which AI Gateway provider key <see cref="CloudflareAiGatewayTarget"/> keeps current, and how it reaches Cloudflare.</summary>
public sealed class CloudflareAiGatewayTargetOptions
{
    /// <summary>Gets or sets the managed key this target holds, as <c>provider/name</c> (<c>openai/prod</c>).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Gets or sets the Cloudflare account id.</summary>
    public string AccountId { get; set; } = string.Empty;

    /// <summary>Gets or sets the Secrets Store id, or <see langword="null"/> for the account's store (Cloudflare creates one per account).</summary>
    public string? StoreId { get; set; }

    /// <summary>Gets or sets the API token (permissions: <c>Secrets Store Write</c> on the account).</summary>
    public string ApiToken { get; set; } = string.Empty;

    /// <summary>Gets or sets the gateway's id, as in the gateway URL <c>https://gateway.ai.cloudflare.com/v1/{account}/{gateway}/…</c>.</summary>
    public string GatewayId { get; set; } = string.Empty;

    /// <summary>Gets or sets AI Gateway's provider slug (<c>openai</c>, <c>anthropic</c>, <c>google-ai-studio</c>…), or
    /// <see langword="null"/> to use the managed key's provider id.</summary>
    public string? ProviderSlug { get; set; }

    /// <summary>Gets or sets the key's alias (requests pick it with <c>cf-aig-byok-alias</c>).</summary>
    /// <value>The default value is <see cref="CloudflareAiGatewayConstants.DefaultAlias"/>.</value>
    public string Alias { get; set; } = CloudflareAiGatewayConstants.DefaultAlias;

    /// <summary>Gets or sets the API's base address (set it for an emulator).</summary>
    /// <value>The default value is <see cref="CloudflareAiGatewayConstants.DefaultBaseAddress"/>.</value>
    public Uri BaseAddress { get; set; } = new(CloudflareAiGatewayConstants.DefaultBaseAddress);
}
