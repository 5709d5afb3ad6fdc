using System.Globalization;
using System.Net.Http.Headers;
using IronCage.Internal;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Verification;

/// <summary>
/// Classifies a provider's HTTP answer into a <see cref="ProviderErrorKind"/>, applying the provider's rules
/// (<see cref="ProviderDescriptor.ErrorRules"/>, and a verify call's own rules) before the status-code defaults.
/// Used by verification, the provider adapters and the HTTP handler, so every path reads answers the same way.
/// </summary>
public static class ProviderResponseClassifier
{
    /// <summary>Classifies an answer.</summary>
    /// <param name="descriptor">The provider that answered.</param>
    /// <param name="response">The response (status and headers are read; the content is not).</param>
    /// <param name="body">The response body, or a bounded prefix of it.</param>
    /// <param name="now">The current instant, to turn an HTTP-date <c>retry-after</c> into a delay.</param>
    /// <param name="callRules">Rules specific to the call, checked first (for example <see cref="VerifyCall.Rules"/>).</param>
    /// <param name="secret">The key that was sent, so it is scrubbed from the provider's message even if echoed.</param>
    /// <returns>The classification.</returns>
    public static ProviderResponseClassification Classify(
        ProviderDescriptor descriptor,
        HttpResponseMessage response,
        ReadOnlyMemory<byte> body,
        Instant now,
        IReadOnlyList<ResponseRule>? callRules = null,
        SecretValue? secret = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(response);

        var status = (int)response.StatusCode;
        var isError = status is < 200 or > 299;
        var parsed = ProviderErrorBody.Parse(body, response.Headers, isError);

        var rule = FindRule(callRules, status, isError, parsed) ?? FindRule(descriptor.ErrorRules, status, isError, parsed);
        ProviderErrorKind? kind = rule?.Kind ?? DefaultKind(status);

        var retryAfter = kind == ProviderErrorKind.RateLimited || kind == ProviderErrorKind.Transient || status == 429
            ? ReadRetryAfter(response.Headers, now)
            : null;

        var message = isError || rule is not null ? SecretScrubber.Scrub(parsed.Message, secret) : null;
        return new ProviderResponseClassification(descriptor.Id, status, kind)
        {
            ProviderErrorCode = SecretScrubber.Scrub(ChooseErrorCode(parsed, rule), secret),
            Message = message,
            RequestId = SecretScrubber.ScrubIdentifier(parsed.RequestId, secret),
            RetryAfter = retryAfter,
            IsAmbiguous = rule?.IsAmbiguous ?? false,
            AlternativeKind = rule?.AlternativeKind,
            Explanation = rule?.Explanation,
            RateLimits = ProviderRateLimits.FromHeaders(response.Headers),
            Organization = SecretScrubber.ScrubIdentifier(OrganizationOf(response.Headers), secret),
        };
    }

    // OpenAI (and services that copy its API) name the organization a request ran under in every answer. Only an id-like
    // value is taken: a header is the provider's to fill, not free text to show.
    private static string? OrganizationOf(HttpResponseHeaders headers)
        => headers.TryGetValues("openai-organization", out var values) && values.FirstOrDefault() is { Length: > 0 and <= 128 } value
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                ? value
                : null;

    /// <summary>The kind an HTTP status means when no provider rule applies.</summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>The kind, or <see langword="null"/> for 2xx.</returns>
    public static ProviderErrorKind? DefaultKind(int statusCode) => statusCode switch
    {
        >= 200 and <= 299 => null,
        400 => ProviderErrorKind.BadRequest,
        401 => ProviderErrorKind.InvalidKey,
        402 => ProviderErrorKind.QuotaExhausted,
        403 => ProviderErrorKind.Forbidden,
        404 => ProviderErrorKind.NotFound,
        408 => ProviderErrorKind.Transient,
        409 => ProviderErrorKind.Conflict,
        425 => ProviderErrorKind.Transient,
        429 => ProviderErrorKind.RateLimited,
        >= 500 => ProviderErrorKind.Transient,
        _ => ProviderErrorKind.Unknown,
    };

    /// <summary>
    /// Reads how long a provider asks the caller to wait: <c>retry-after-ms</c>, <c>retry-after</c> (seconds or an
    /// HTTP date), or, on a 429 without them, the OpenAI-style <c>x-ratelimit-reset-*</c> of the exhausted limit.
    /// </summary>
    /// <param name="headers">The response headers.</param>
    /// <param name="now">The current instant.</param>
    /// <returns>The delay, or <see langword="null"/> when the provider did not say.</returns>
    public static TimeSpan? ReadRetryAfter(HttpResponseHeaders headers, Instant now)
    {
        ArgumentNullException.ThrowIfNull(headers);

        if (TryGetHeader(headers, "retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - now.ToDateTimeOffset();
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
        }

        TimeSpan? longest = null;
        foreach (var limit in (ReadOnlySpan<string>)["requests", "tokens"])
        {
            if (TryGetHeader(headers, "x-ratelimit-remaining-" + limit, out var remaining) && remaining.Trim() == "0"
                && TryGetHeader(headers, "x-ratelimit-reset-" + limit, out var reset) && TryParseGoDuration(reset, out var resetIn)
                && (longest is null || resetIn > longest))
            {
                longest = resetIn;
            }
        }

        return longest;
    }

    /// <summary>Parses durations such as <c>500us</c>, <c>12ms</c>, <c>1s</c>, <c>6m0s</c> or <c>1h2m3.5s</c> (Go's format, used by OpenAI's reset headers).</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The duration when parsing succeeds.</param>
    /// <returns><see langword="true"/> when parsed.</returns>
    public static bool TryParseGoDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var total = 0.0;
        while (!span.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < span.Length && (char.IsAsciiDigit(span[numberLength]) || span[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(span[..numberLength], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            span = span[numberLength..];
            double unitMs;
            if (span.StartsWith("ns"))
            {
                unitMs = 0.000_001;
                span = span[2..];
            }
            else if (span.StartsWith("us") || span.StartsWith("µs"))
            {
                unitMs = 0.001;
                span = span[2..];
            }
            else if (span.StartsWith("ms"))
            {
                unitMs = 1;
                span = span[2..];
            }
            else if (span.StartsWith("h"))
            {
                unitMs = 3_600_000;
                span = span[1..];
            }
            else if (span.StartsWith("m"))
            {
                unitMs = 60_000;
                span = span[1..];
            }
            else if (span.StartsWith("s"))
            {
                unitMs = 1_000;
                span = span[1..];
            }
            else
            {
                return false;
            }

            total += value * unitMs;
        }

        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    // Google repeats the HTTP status as a numeric error.code (and Azure's data plane as "401"), so the first code
    // read is often just the status again. The code that explains the answer is the one the deciding rule named;
    // failing that, the first code that is not only digits (error.status, a reason, error.type).
    private static string? ChooseErrorCode(ProviderErrorBody body, ResponseRule? rule)
    {
        if (rule?.ErrorCode is { } ruleCode)
        {
            var matched = body.Codes.Find(c => string.Equals(c, ruleCode, StringComparison.OrdinalIgnoreCase));
            if (matched is not null)
            {
                return matched;
            }
        }

        foreach (var code in body.Codes)
        {
            if (!code.All(char.IsAsciiDigit))
            {
                return code;
            }
        }

        return body.Codes.Count > 0 ? body.Codes[0] : null;
    }

    private static ResponseRule? FindRule(IReadOnlyList<ResponseRule>? rules, int status, bool isError, ProviderErrorBody body)
    {
        if (rules is null)
        {
            return null;
        }

        foreach (var rule in rules)
        {
            if (Matches(rule, status, isError, body))
            {
                return rule;
            }
        }

        return null;
    }

    private static bool Matches(ResponseRule rule, int status, bool isError, ProviderErrorBody body)
    {
        if (rule.StatusCode is { } expected && expected != status)
        {
            return false;
        }

        var checksErrorDetails = rule.ErrorCode is not null || rule.MessageContains is not null;
        if (checksErrorDetails && !isError)
        {
            return false;
        }

        if (rule.ErrorCode is not null && !body.HasCode(rule.ErrorCode))
        {
            return false;
        }

        if (rule.MessageContains is not null && (body.Message is null || !body.Message.Contains(rule.MessageContains, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (rule.JsonProperty is not null
            && (!body.TryGetValue(rule.JsonProperty, out var raw) || !string.Equals(raw, rule.JsonValue, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        // A rule with no condition at all never matches.
        return rule.StatusCode is not null || checksErrorDetails || rule.JsonProperty is not null;
    }

    private static bool TryGetHeader(HttpResponseHeaders headers, string name, out string value)
    {
        if (headers.TryGetValues(name, out var values) && values.FirstOrDefault() is { } first)
        {
            value = first;
            return true;
        }

        value = string.Empty;
        return false;
    }
}
