namespace IronCage.Secrets.CloudflareAiGateway;

/// <summary>Names and defaults of the Cloudflare AI Gateway BYOK target.</summary>
public static class CloudflareAiGatewayConstants
{
    /// <summary>The Secrets Store scope AI Gateway reads provider keys from.</summary>
    public const string Scope = "ai_gateway";

    /// <summary>The default key alias AI Gateway uses when a request names none.</summary>
    public const string DefaultAlias = "default";

    /// <summary>Cloudflare's API base address.</summary>
    public const string DefaultBaseAddress = "https://api.cloudflare.com/client/v4/";

    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the DI registrations use.</summary>
    public const string HttpClientName = "IronCage.Secrets.CloudflareAiGateway";
}
