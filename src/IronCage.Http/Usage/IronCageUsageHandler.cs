using IronCage.Http;
using IronCage.Usage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// The usage handler behind <c>AddIronCageKey</c>, inside the key handler: for a key with a budget it reads the
/// request's worst case and reserves it (a refused reservation throws <see cref="NoUsableKeyException"/>, which the
/// key handler turns into a failover); it reads usage from the response as the caller reads it (JSON and SSE), records
/// it and settles the hold. A request through a key without a budget is neither read nor buffered.
/// </summary>
internal sealed class IronCageUsageHandler : DelegatingHandler
{
    private readonly IUsageRecorder? _recorder;
    private readonly IBudgetGuard? _guard;
    private readonly IronCageKeyHandlerOptions _options;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly ModelNames _models = new();

    public IronCageUsageHandler(IUsageRecorder? recorder, IBudgetGuard? guard, IronCageKeyHandlerOptions options, IClock clock, ILogger logger)
    {
        _recorder = options.CaptureUsage ? recorder : null;
        _guard = guard;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Gets the recorder calls are recorded to, or <see langword="null"/> when usage is not captured.</summary>
    internal IUsageRecorder? Recorder => _recorder;

    internal IClock Clock => _clock;

    internal ILogger Logger => _logger;

    internal ModelNames Models => _models;

    /// <summary>Gets a value indicating whether a client with these services and options needs the usage handler at all.</summary>
    public static bool IsNeeded(IUsageRecorder? recorder, IBudgetGuard? guard, IronCageKeyHandlerOptions options) => guard is not null || (recorder is not null && options.CaptureUsage);

    /// <summary>Sends a request the key handler put <paramref name="key"/> on.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, ResolvedKey key, RequestFacts? facts, CancellationToken cancellationToken)
    {
        if (_guard is not null)
        {
            var needsEstimate = _guard.NeedsEstimateAsync(key.Key, cancellationToken);
            if (!needsEstimate.IsCompletedSuccessfully)
            {
                return SendHeldAsync(request, key, facts, needsEstimate.AsTask(), cancellationToken);
            }

            if (needsEstimate.Result)
            {
                return SendHeldAsync(request, key, facts, null, cancellationToken);
            }
        }

        // No budget: the body is not touched, and an answer that is already in and good needs no state machine.
        var sending = base.SendAsync(request, cancellationToken);
        if (sending.IsCompletedSuccessfully && sending.Result.IsSuccessStatusCode)
        {
            Capture(request, sending.Result, key, facts, Held.None);
            return sending;
        }

        return CompleteAsync(request, key, facts, Held.None, sending, cancellationToken);
    }

    /// <summary>Holds the budget first, when <paramref name="needsEstimate"/> (still being decided) or its absence (decided: yes) says so.</summary>
    private async Task<HttpResponseMessage> SendHeldAsync(HttpRequestMessage request, ResolvedKey key, RequestFacts? facts, Task<bool>? needsEstimate, CancellationToken cancellationToken)
    {
        var hold = BudgetHold.Unlimited;
        CostEstimate? estimate = null;
        if (needsEstimate is null || await needsEstimate.ConfigureAwait(false))
        {
            if (request.Options.TryGetValue(IronCageRequestOptions.CostEstimate, out var given))
            {
                estimate = given with { Model = given.Model ?? facts?.Model ?? RequestFacts.ModelFromPath(request.RequestUri) };
            }
            else
            {
                facts ??= await RequestFacts.ReadAsync(request, _options.DefaultMaxOutputTokens, _options.MaxUsageBodyBytes, cancellationToken).ConfigureAwait(false);
                if (!facts.Value.IsSized || facts.Value.PointsOutside)
                {
                    throw new CostEstimateRequiredException(key.Key, pointsOutside: facts.Value.PointsOutside);
                }

                estimate = facts.Value.ToBudgetEstimate();
            }

            hold = await _guard!.ReserveAsync(key.Key, estimate.Value, cancellationToken).ConfigureAwait(false);
            if (!hold.IsAdmitted)
            {
                throw new NoUsableKeyException(key.Key.ToString(), [hold.Denial ?? new KeySkip(key.Key, KeySkipReason.LimitReached, "its budget is spent")]);
            }
        }

        return await CompleteAsync(request, key, facts, new Held(hold, estimate), SendInnerAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return base.SendAsync(request, cancellationToken);
        }
        catch (Exception exception)
        {
            // A handler that throws instead of returning a faulted task must not skip the settlement.
            return Task.FromException<HttpResponseMessage>(exception);
        }
    }

    private async Task<HttpResponseMessage> CompleteAsync(HttpRequestMessage request, ResolvedKey key, RequestFacts? facts, Held held, Task<HttpResponseMessage> sending, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await sending.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // A call that may have reached the provider (cancelled or timed out while it answered, a connection lost
            // mid-response) may have been billed: it keeps its worst case. Only a call that never left settles at 0.
            await SettleAsync(held, key, NeverSent(exception) ? Settlement.Nothing : Settlement.Reserved).ConfigureAwait(false);
            if (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Record(key, facts?.Model ?? held.Estimate?.Model ?? RequestFacts.ModelFromPath(request.RequestUri), ProviderErrorKind.Transient);
            }

            throw;
        }

        if (response.IsSuccessStatusCode)
        {
            Capture(request, response, key, facts, held);
            return response;
        }

        // Settled before the error body is read, so a caller that cancels while it is read leaks nothing.
        await SettleAsync(held, key, Settlement.Nothing).ConfigureAwait(false);
        if (_recorder is not null)
        {
            var classification = await ProviderAnswer.ClassifyAsync(response, key, _clock, cancellationToken).ConfigureAwait(false);
            Record(key, facts?.Model ?? held.Estimate?.Model ?? RequestFacts.ModelFromPath(request.RequestUri), classification.Kind ?? ProviderErrorKind.Unknown);
        }

        return response;
    }

    private static bool NeverSent(Exception exception) => exception is HttpRequestException
    {
        HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
    };

    // The model a response does not name is read from the request: the body's, when a budget read it, else the path's
    // (Gemini), worked out only if the response leaves it out.
    private void Capture(HttpRequestMessage request, HttpResponseMessage response, ResolvedKey key, RequestFacts? facts, Held held)
    {
        var budgeted = !ReferenceEquals(held.Hold, BudgetHold.Unlimited);
        if ((_recorder is not null || budgeted) && response.Content is { } content)
        {
            var eventStream = IsEventStream(content);
            var capture = new UsageCapture(this, key, facts?.Model ?? held.Estimate?.Model, request.RequestUri, budgeted ? new UsageCapture.BudgetedCall(held.Hold, held.Estimate) : null);
            response.Content = new UsageCapturingContent(content, capture, eventStream, _options.MaxUsageBodyBytes);
        }
        else if (budgeted)
        {
            // An answer without a body says nothing of what it cost: it keeps its worst case.
            _ = SettleAsync(held, key, Settlement.Reserved).AsTask();
        }
    }

    // Read from the raw value (a transport's headers are unparsed strings; parsing one takes a lock and allocates).
    private static bool IsEventStream(HttpContent content)
    {
        if (!content.Headers.NonValidated.TryGetValues("Content-Type", out var values))
        {
            return false;
        }

        foreach (var value in values)
        {
            var span = value.AsSpan();
            var semicolon = span.IndexOf(';');
            if ((semicolon < 0 ? span : span[..semicolon]).Trim().Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Reached this way only when a handler was put between the key handler and this one.
        return request.Options.TryGetValue(IronCageRequest.Key, out var key)
            ? SendAsync(request, key, null, cancellationToken)
            : base.SendAsync(request, cancellationToken);
    }

    private void Record(ResolvedKey key, string? model, ProviderErrorKind error)
        => _recorder?.Record(new UsageSample(key.Key, _clock.GetCurrentInstant(), model, 0, 0, error, key.VersionId));

    private async ValueTask SettleAsync(Held held, ResolvedKey key, Settlement settlement)
    {
        if (ReferenceEquals(held.Hold, BudgetHold.Unlimited))
        {
            return;
        }

        try
        {
            var (input, output) = settlement == Settlement.Reserved && held.Estimate is { } worst ? (worst.InputTokens, worst.MaxOutputTokens) : (0L, 0L);
            await held.Hold.SettleAsync(input, output, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.SettleFailed(_logger, key.Key, exception);
        }
    }

    private enum Settlement
    {
        Nothing,
        Reserved,
    }

    /// <summary>A budget hold with the worst case it reserved, which a call that may have been billed settles at.</summary>
    private readonly record struct Held(BudgetHold Hold, CostEstimate? Estimate)
    {
        public static Held None => new(BudgetHold.Unlimited, null);
    }
}
