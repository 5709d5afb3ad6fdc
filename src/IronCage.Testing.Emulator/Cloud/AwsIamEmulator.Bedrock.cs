using System.Globalization;
using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using IronCage.Testing.Emulator.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Testing.Emulator;

// The emulator's Bedrock runtime endpoint (/bedrock/): long-term keys are checked against the credentials IAM issued,
// short-term keys by their SigV4 pre-signature.
public sealed partial class AwsIamEmulator
{
    private async Task BedrockAsync(HttpContext context, string path)
    {
        var known = (HttpMethods.IsGet(context.Request.Method) && path == "foundation-models")
            || (HttpMethods.IsPost(context.Request.Method) && path.StartsWith("model/", StringComparison.Ordinal) && path.EndsWith("/converse", StringComparison.Ordinal));
        if (!known)
        {
            context.Response.Headers["x-amzn-ErrorType"] = "UnknownOperationException";
            await WriteAsync(context, 404, "application/json", "{\"message\":null}").ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : null;
        bool live;
        ShortTermKeyFailure? shortTermFailure = null;
        lock (_gate)
        {
            if (token is not null && token.StartsWith(BedrockShortTermKeyCheck.Prefix, StringComparison.Ordinal))
            {
                shortTermFailure = BedrockShortTermKeyCheck.Check(token, BedrockRegion, SigningSecretOf, _time.GetUtcNow());
                live = shortTermFailure is null;
                _refusedShortTermKeys += live ? 0 : 1;
            }
            else
            {
                live = token is not null && _credentials.Exists(c => c.ServiceName == "bedrock.amazonaws.com" && StatusOf(c) == "Active" && !c.RefusedByBedrock && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(c.Secret), Encoding.UTF8.GetBytes(token)));
            }
        }

        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (shortTermFailure == ShortTermKeyFailure.Expired)
        {
            context.Response.Headers["x-amzn-ErrorType"] = "ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/";
            await WriteAsync(context, 403, "application/json", "{\"message\":\"The security token included in the request is expired\"}").ConfigureAwait(false);
            return;
        }

        if (!live)
        {
            context.Response.Headers["x-amzn-ErrorType"] = "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/";
            await WriteAsync(context, 403, "application/json", "{\"message\":\"The security token included in the request is invalid.\"}").ConfigureAwait(false);
            return;
        }

        var answer = path == "foundation-models"
            ? "{\"modelSummaries\":[{\"modelArn\":\"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0\",\"modelId\":\"anthropic.claude-3-haiku-20240307-v1:0\",\"modelName\":\"Claude 3 Haiku\",\"providerName\":\"Anthropic\",\"inputModalities\":[\"TEXT\",\"IMAGE\"],\"outputModalities\":[\"TEXT\"],\"responseStreamingSupported\":true,\"customizationsSupported\":[],\"inferenceTypesSupported\":[\"ON_DEMAND\"],\"modelLifecycle\":{\"status\":\"ACTIVE\"}}]}"
            : "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Hello from the IronCage emulator.\"}]}},\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":3,\"outputTokens\":7,\"totalTokens\":10},\"metrics\":{\"latencyMs\":1}}";
        await WriteAsync(context, 200, "application/json", answer).ConfigureAwait(false);
    }

    // The secret of an access key a short-term key names: the emulator's own pair (no session token), or temporary
    // credentials it issued (their session token must match), with when those expire.
    private (string Secret, DateTimeOffset? Expiration)? SigningSecretOf(string accessKeyId, string? sessionToken)
    {
        if (accessKeyId == AccessKeyId && sessionToken is null)
        {
            return (SecretAccessKey, null);
        }

        return _temporary.Find(t => t.AccessKeyId == accessKeyId && t.SessionToken == sessionToken) is { } temporary ? (temporary.SecretAccessKey, temporary.Expiration) : null;
    }
}
