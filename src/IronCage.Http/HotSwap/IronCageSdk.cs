using System.ClientModel;
using System.ClientModel.Primitives;

namespace IronCage.Http;

/// <summary>
/// Routes an official SDK client (OpenAI, Azure OpenAI, Microsoft.Extensions.AI over them, anything on
/// System.ClientModel) through an <see cref="HttpClient"/> that carries <c>AddIronCageKey</c>, so its calls get the
/// managed key of the moment, failover, usage and budgets, exactly like any other client's.
/// </summary>
/// <remarks>
/// The SDK insists on a credential of its own; give it <see cref="CreateCredential"/>. The key handler recognises
/// that placeholder and puts the managed key in its place; a request that carries a real key of the caller's own is
/// still sent as built unless <see cref="IronCageKeyHandlerOptions.OverwriteCallerCredentials"/> is set. The SDK's own
/// retry policy runs outside IronCage's handlers: each of its attempts resolves the key afresh. Request bodies up to
/// <see cref="IronCageHttpConstants.SdkReplayableBodyBytes"/> are handed to the handlers in a form they may send again,
/// so a pool fails over and a budget reads the request as for any other client.
/// </remarks>
/// <example>
/// <code>
/// builder.Services.AddHttpClient("openai-sdk").AddIronCageKey("openai/prod");
/// var transport = app.Services.GetRequiredService&lt;IHttpClientFactory&gt;().CreateIronCageTransport("openai-sdk");
/// var chat = new ChatClient("gpt-4o-mini", IronCageSdk.CreateCredential(), new OpenAIClientOptions { Transport = transport });
/// </code>
/// </example>
public static class IronCageSdk
{
    /// <summary>The credential value an SDK client is given when IronCage supplies the key; it is never sent to a provider.</summary>
    public const string PlaceholderKey = "ironcage-managed-key";

    /// <summary>Creates the placeholder credential for an SDK client whose requests go through an IronCage client.</summary>
    /// <returns>A credential holding <see cref="PlaceholderKey"/>.</returns>
    public static ApiKeyCredential CreateCredential() => new(PlaceholderKey);

    /// <summary>Creates a System.ClientModel transport over the named <see cref="HttpClient"/>, which should carry <c>AddIronCageKey</c> or <c>AddIronCageKeyPool</c>.</summary>
    /// <param name="factory">The host's client factory.</param>
    /// <param name="clientName">The name the client was registered under with <c>AddHttpClient</c>.</param>
    /// <returns>A transport for the SDK's client options (<c>OpenAIClientOptions.Transport</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="clientName"/> is empty.</exception>
    public static HttpClientPipelineTransport CreateIronCageTransport(this IHttpClientFactory factory, string clientName)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientName);
        return new ReplayableTransport(factory.CreateClient(clientName));
    }

    /// <summary>
    /// Hands the key handler a body it may send again: the SDK's own request content is one the handler cannot know
    /// to be replayable, so a pool could not fail over and a budget could not read it. Bodies up to
    /// <see cref="IronCageHttpConstants.SdkReplayableBodyBytes"/> are copied once into a byte array; larger ones
    /// (file uploads) go as the SDK built them.
    /// </summary>
    private sealed class ReplayableTransport(HttpClient client) : HttpClientPipelineTransport(client)
    {
        protected override void OnSendingRequest(PipelineMessage message, HttpRequestMessage httpRequest)
        {
            base.OnSendingRequest(message, httpRequest);
            if (httpRequest.Content is not { } content || message.Request.Content is not { } body
                || !body.TryComputeLength(out var length) || length > IronCageHttpConstants.SdkReplayableBodyBytes)
            {
                return;
            }

            using var buffer = new MemoryStream((int)length);
            body.WriteTo(buffer, message.CancellationToken);
            var replayable = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
            foreach (var header in content.Headers.NonValidated)
            {
                replayable.Headers.TryAddWithoutValidation(header.Key, [.. header.Value]);
            }

            httpRequest.Content = replayable;
        }
    }
}
