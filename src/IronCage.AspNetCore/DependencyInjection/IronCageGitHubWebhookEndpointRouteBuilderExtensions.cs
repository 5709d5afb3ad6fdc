using System.Buffers;
using System.Text.Json.Nodes;
using IronCage.Leaks.GitHub;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the receiver of GitHub's <c>secret_scanning_alert</c> webhook.</summary>
public static class IronCageGitHubWebhookEndpointRouteBuilderExtensions
{
    /// <summary>The largest delivery read: GitHub's secret scanning payloads are a few kilobytes.</summary>
    public const int MaxDeliveryBytes = 1024 * 1024;

    /// <summary>
    /// Maps <c>POST <paramref name="pattern"/></c> as the receiver of GitHub's <c>secret_scanning_alert</c> webhook: the
    /// raw body and headers go to <see cref="GitHubSecretScanningWebhookHandler"/>, which checks
    /// <c>X-Hub-Signature-256</c> against the webhook secret (a missing or wrong signature is answered 401 and audited),
    /// reads the alert's secret from the REST API, matches it to the managed keys and runs the leak response policy.
    /// The endpoint is authenticated by that signature, not by the host's authentication, so it allows anonymous
    /// requests; deliveries over <see cref="MaxDeliveryBytes"/> are answered 413 unread. Answers: 202 with
    /// <c>{ outcome, operationId }</c> when a response ran, 204 for events and actions it does not act on, 400 for a
    /// body that is not a secret scanning alert.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="pattern">The route; point the GitHub webhook's payload URL at it.</param>
    /// <returns>The endpoint's builder, for the host's own conventions (rate limiting, a host filter).</returns>
    /// <exception cref="InvalidOperationException"><c>AddGitHubSecretScanning(...)</c> was not called on the IronCage builder.</exception>
    public static RouteHandlerBuilder MapIronCageGitHubSecretScanning(this IEndpointRouteBuilder endpoints, string pattern = "/api/webhooks/github/secret-scanning")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (endpoints.ServiceProvider.GetService<GitHubSecretScanningWebhookHandler>() is null)
        {
            throw new InvalidOperationException("MapIronCageGitHubSecretScanning() needs services.AddIronCage(...).AddGitHubSecretScanning(o => { o.WebhookSecret = ...; o.Token = ...; }) (and a store, AddRotation()).");
        }

        return endpoints.MapPost(pattern, (Delegate)ReceiveAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription()
            .WithName("IronCageGitHubSecretScanning");
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, GitHubSecretScanningWebhookHandler handler)
    {
        if (context.Request.ContentLength > MaxDeliveryBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in context.Request.Headers)
        {
            headers[name] = values.ToString();
        }

        var result = await handler.HandleAsync(headers, body, context.RequestAborted).ConfigureAwait(false);
        if (result.Response is { } response)
        {
            var answer = new JsonObject { ["outcome"] = response.Outcome.ToString(), ["operationId"] = response.OperationId };
            return Results.Text(answer.ToJsonString(), "application/json", statusCode: result.StatusCode);
        }

        return Results.StatusCode(result.StatusCode);
    }

    // The body exactly as received (the signature is over these bytes), up to the limit; null when it is over it.
    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxDeliveryBytes + 1;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await context.Request.Body.ReadAsync(memory, context.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxDeliveryBytes)
            {
                return null;
            }
        }
    }
}
