using System.Net;
using System.Text;
using Azure.Core;
using IronCage.Providers.AzureOpenAI;

namespace IronCage.Providers.AzureOpenAI.Tests;

internal sealed class FakeTokenCredential : TokenCredential
{
    public const string Token = "test-arm-token";

    public List<string[]> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Scopes.Add(requestContext.Scopes);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>The scripted Azure of the wire tests: the account's ARM path and data plane, its scope, and ARM-shaped answers for MockHttp.</summary>
internal static class AzureWire
{
    public const string Account = "https://management.azure.com/subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/my-openai";
    public const string DataPlane = "https://my-openai.openai.azure.com";

    public static ProviderKeyContext Context(string name = "prod") => new()
    {
        Key = new KeyReference(ProviderId.AzureOpenAI, name),
        Scope = new Dictionary<string, string>
        {
            [AzureOpenAIConstants.SubscriptionIdScopeKey] = "sub-1",
            [AzureOpenAIConstants.ResourceGroupScopeKey] = "rg-ai",
            [AzureOpenAIConstants.AccountNameScopeKey] = "my-openai",
            [AzureOpenAIConstants.EndpointScopeKey] = DataPlane,
        },
    };

    public static HttpResponseMessage Json(HttpStatusCode status, string json) => new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
