using System.Globalization;
using IronCage.Verification;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using NodaTime;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IronCage.Providers.Http.Internal;

/// <summary>
/// The one resilience pipeline of every provider connection, built on Microsoft.Extensions.Http.Resilience: retry
/// (outermost), circuit breaker, timeout per attempt. Each attempt's answer is read into memory inside the attempt
/// (<see cref="ProviderResponseBuffer"/>) and classified with the call's own classifier.
/// </summary>
/// <remarks>
/// <para>
/// A request is retried only when its sender marked it repeatable (<see cref="ProviderRequestOptions.Repeatable"/>), or,
/// unmarked, when its method is GET, HEAD, OPTIONS or TRACE. This is what <c>DisableForUnsafeHttpMethods</c> does, with
/// one difference that matters for a create: <c>DisableForUnsafeHttpMethods</c> looks only at answers, so a POST whose
/// attempt timed out or lost its connection (the provider may well have created the key) would still be sent again.
/// Here the request is taken from the resilience context, so no failure of a create is ever resent.
/// </para>
/// <para>
/// Throttling (429, or a provider's own throttling answer) is retried for any request only in packages whose
/// management API throttles briefly and did not act on the throttled call (Azure Resource Manager, Google APIs, IAM).
/// A <c>Retry-After</c> of at most <see cref="ProviderHttpConstants.MaxHonouredRetryAfter"/> replaces the back-off; a
/// longer one goes back to the caller at once.
/// </para>
/// </remarks>
internal static class ProviderResiliencePipeline
{
    private const double BreakerFailureRatio = 0.5;
    private const int BreakerMinimumThroughput = 5;
    private static readonly TimeSpan BreakerSamplingDuration = TimeSpan.FromSeconds(30);

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, ProviderHttpOptions settings, bool retryThrottled, ILogger logger, string connection)
    {
        var time = builder.TimeProvider ?? TimeProvider.System;
        if (settings.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.RetryDelay,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, retryThrottled, time)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response, time) : null),
                OnRetry = args =>
                {
                    Log.Retrying(logger, connection, Describe(args.Outcome), args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Breaker outside the timeout, so a timed-out attempt counts as a failure.
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, time)),
            FailureRatio = BreakerFailureRatio,
            MinimumThroughput = BreakerMinimumThroughput,
            SamplingDuration = BreakerSamplingDuration,
            BreakDuration = settings.CircuitBreakDuration,
        });
        builder.AddTimeout(settings.Timeout);
    }

    /// <summary>The kind an answer has by its status alone: 408 and 5xx are transient, 429 is rate limited.</summary>
    public static ProviderErrorKind? StatusKind(int statusCode) => statusCode switch
    {
        429 => ProviderErrorKind.RateLimited,
        408 or >= 500 => ProviderErrorKind.Transient,
        _ => null,
    };

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, bool retryThrottled, TimeProvider time)
    {
        if (outcome.Result is { } response)
        {
            if (RetryAfter(response, time) is { } wait && wait > ProviderHttpConstants.MaxHonouredRetryAfter)
            {
                // Waiting that long would hold the caller (a rotation) hostage; it reschedules with RetryAfter.
                return false;
            }

            var kind = Classify(response, time);
            if (kind == ProviderErrorKind.RateLimited)
            {
                return retryThrottled;
            }

            return kind == ProviderErrorKind.Transient && ProviderRequestOptions.IsRepeatable(response.RequestMessage ?? context.GetRequestMessage());
        }

        return IsTransientException(outcome.Exception) && ProviderRequestOptions.IsRepeatable(context.GetRequestMessage());
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, TimeProvider time)
        => outcome.Result is { } response ? Classify(response, time) == ProviderErrorKind.Transient : IsTransientException(outcome.Exception);

    private static bool IsTransientException(Exception? exception) => exception is HttpRequestException or IOException or TimeoutRejectedException;

    private static ProviderErrorKind? Classify(HttpResponseMessage response, TimeProvider time)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        if (response.RequestMessage?.Options.TryGetValue(ProviderRequestOptions.Classifier, out var classify) == true && response.Content is ProviderResponseContent content)
        {
            // A view of the buffered answer for the call's classifier; the caller owns (and disposes) the real one.
            var view = new ProviderHttpResponse(response, content.Body);
            view.Classify(classify, Instant.FromDateTimeOffset(time.GetUtcNow()));
            return view.Kind;
        }

        return StatusKind((int)response.StatusCode);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
        => ProviderResponseClassifier.ReadRetryAfter(response.Headers, Instant.FromDateTimeOffset(time.GetUtcNow()));

    private static string Describe(Outcome<HttpResponseMessage> outcome)
        => outcome.Result is { } response ? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) : outcome.Exception?.GetType().Name ?? "failure";
}
