using IronCage.Usage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Internal;

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

    /// <summary>Gets a value indicating whether a client with these services and options needs the usage handler at all.</summary>
    public static bool IsNeeded(IUsageRecorder? recorder, IBudgetGuard? guard, IronCageKeyHandlerOptions options) => guard is not null || (recorder is not null && options.CaptureUsage);

    /// <summary>Sends a request the key handler put <paramref name="key"/> on.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, ResolvedKey key, RequestFacts? facts, CancellationToken cancellationToken)
    {
        var hold = BudgetHold.Unlimited;
        if (_guard is not null && await _guard.NeedsEstimateAsync(key.Key, cancellationToken).ConfigureAwait(false))
        {
            facts ??= await RequestFacts.ReadAsync(request, _options.DefaultMaxOutputTokens, _options.MaxUsageBodyBytes, cancellationToken).ConfigureAwait(false);
            hold = await _guard.ReserveAsync(key.Key, facts.Value.ToEstimate(), cancellationToken).ConfigureAwait(false);
            if (!hold.IsAdmitted)
            {
                throw new NoUsableKeyException(key.Key.ToString(), [hold.Denial ?? new KeySkip(key.Key, KeySkipReason.LimitReached, "its budget is spent")]);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await SettleAsync(hold, key).ConfigureAwait(false);
            if (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Record(key, facts?.Model ?? RequestFacts.PathModel(request), ProviderErrorKind.Transient);
            }

            throw;
        }

        if (response.IsSuccessStatusCode)
        {
            if ((_recorder is not null || !ReferenceEquals(hold, BudgetHold.Unlimited)) && response.Content is { } content)
            {
                var eventStream = string.Equals(content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
                var capture = new UsageCapture(key, facts?.Model ?? RequestFacts.PathModel(request), hold, _recorder, _clock, _logger, _models);
                response.Content = new UsageCapturingContent(content, capture, eventStream, _options.MaxUsageBodyBytes);
            }

            return response;
        }

        await SettleAsync(hold, key).ConfigureAwait(false);
        if (_recorder is not null)
        {
            var classification = await ProviderAnswer.ClassifyAsync(response, key, _clock, cancellationToken).ConfigureAwait(false);
            Record(key, facts?.Model ?? RequestFacts.PathModel(request), classification.Kind ?? ProviderErrorKind.Unknown);
        }

        return response;
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

    private async ValueTask SettleAsync(BudgetHold hold, ResolvedKey key)
    {
        if (ReferenceEquals(hold, BudgetHold.Unlimited))
        {
            return;
        }

        try
        {
            await hold.SettleAsync(0, 0).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.SettleFailed(_logger, key.Key, exception);
        }
    }
}
