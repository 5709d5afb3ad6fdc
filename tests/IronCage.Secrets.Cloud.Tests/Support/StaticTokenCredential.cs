using Azure.Core;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>A credential that returns a fixed token and records the scopes and tenant it was asked for (the Key Vault challenge's).</summary>
internal sealed class StaticTokenCredential(string token) : TokenCredential
{
    public List<TokenRequestContext> Requests { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(requestContext);
        }

        return new AccessToken(token, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
