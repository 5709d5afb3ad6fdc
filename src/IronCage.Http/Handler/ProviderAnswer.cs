using System.Globalization;
using System.Net.Http.Headers;
using IronCage.Http;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Http;

/// <summary>What a provider's answer says about the key that was sent: its classification, the restriction it implies, the headroom it reports.</summary>
internal static class ProviderAnswer
{
    /// <summary>How much of an error body is read to classify it; the rest goes to the caller unread (a hostile answer may be any size).</summary>
    public const int ClassifiedPrefixBytes = 64 * 1024;

    public static async Task<ProviderResponseClassification> ClassifyAsync(HttpResponseMessage response, ResolvedKey key, IClock clock, CancellationToken cancellationToken)
    {
        // Only a bounded prefix is read; the response gets a content that replays it before the rest of the stream, so
        // the caller (and the other IronCage handler, which reuses the prefix) still reads the whole body unchanged.
        var body = ReadOnlyMemory<byte>.Empty;
        if (response.Content is PrefixReplayContent classified)
        {
            body = classified.Prefix;
        }
        else if (response.Content is { } content)
        {
            var replay = await PrefixReplayContent.ReadAsync(content, ClassifiedPrefixBytes, cancellationToken).ConfigureAwait(false);
            response.Content = replay;
            body = replay.Prefix;
        }

        return ProviderResponseClassifier.Classify(key.Provider, response, body, clock.GetCurrentInstant(), secret: key.Secret);
    }

    /// <summary>The restriction an error implies for the key: disabled for an invalid or forbidden key, a cool-down for a rate limit or an exhausted quota, none otherwise.</summary>
    public static KeyRestriction? RestrictionFor(ProviderResponseClassification classification, ResolvedKey key, IronCageKeyHandlerOptions options, Instant now)
    {
        var said = classification.ProviderErrorCode is { } code
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {classification.StatusCode} {code}")
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {classification.StatusCode}");
        var kind = classification.Kind ?? ProviderErrorKind.Unknown;
        if (kind == ProviderErrorKind.InvalidKey)
        {
            return new KeyRestriction(KeySkipReason.Disabled, $"the provider rejected version {key.VersionId} ({key.DisplayHint}) as invalid ({said}); rotate it or supply a new key", null, key.VersionId);
        }

        if (kind == ProviderErrorKind.Forbidden)
        {
            return new KeyRestriction(KeySkipReason.Disabled, $"the provider refused version {key.VersionId} ({key.DisplayHint}) permission ({said}); check its scopes or region", null, key.VersionId);
        }

        if (kind == ProviderErrorKind.RateLimited)
        {
            var wait = classification.RetryAfter ?? options.RateLimitCoolDown;
            return new KeyRestriction(KeySkipReason.CoolingDown, $"the provider is rate limiting it ({said})", now + Duration.FromTimeSpan(wait), null);
        }

        if (kind == ProviderErrorKind.QuotaExhausted)
        {
            var wait = classification.RetryAfter ?? options.QuotaCoolDown;
            return new KeyRestriction(KeySkipReason.QuotaExhausted, $"its quota is exhausted ({said}); add credit or raise the limit", now + Duration.FromTimeSpan(wait), null);
        }

        // A transient failure says nothing about the key: retrying it is the resilience handler's job (docs/runtime.md).
        return null;
    }

    // The share of the provider's rate limit left, from the tighter of requests and tokens: OpenAI-style
    // x-ratelimit-remaining-*/x-ratelimit-limit-* and Anthropic's anthropic-ratelimit-*-remaining/-limit.
    public static double? Headroom(HttpResponseHeaders headers)
    {
        double? least = null;
        Consider(headers, "x-ratelimit-remaining-requests", "x-ratelimit-limit-requests", ref least);
        Consider(headers, "x-ratelimit-remaining-tokens", "x-ratelimit-limit-tokens", ref least);
        Consider(headers, "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-limit", ref least);
        Consider(headers, "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-limit", ref least);
        return least;

        static void Consider(HttpResponseHeaders headers, string remainingName, string limitName, ref double? least)
        {
            if (headers.NonValidated.TryGetValues(remainingName, out var remainingValues)
                && headers.NonValidated.TryGetValues(limitName, out var limitValues)
                && double.TryParse(remainingValues.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var remaining)
                && double.TryParse(limitValues.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var limit)
                && limit > 0)
            {
                var share = remaining / limit;
                least = least is { } current ? Math.Min(current, share) : share;
            }
        }
    }
}
