using System.Globalization;
using System.Net.Http.Headers;
using IronCage.Internal;
using IronCage.Providers;
using IronCage.Usage;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;
using Polly;
using Polly.Retry;

namespace IronCage;

/// <summary>
/// The <see cref="DelegatingHandler"/> behind <c>AddIronCageKey</c>: puts the current key on each request, retries
/// transient failures, refreshes a rejected key once, cools down or disables a key the provider refused and moves on
/// to the next key of a pool, enforces client-side rate limits and budgets, and records usage from the response.
/// </summary>
internal sealed class IronCageKeyHandler : DelegatingHandler
{

    private readonly KeyResolver _resolver;
    private readonly KeyTarget _target;
    private readonly IronCageKeyHandlerOptions _options;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly IUsageRecorder? _recorder;
    private readonly IBudgetGuard? _guard;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly bool _readsHeadroom;
    private readonly ModelNames _models = new();

    public IronCageKeyHandler(
        KeyResolver resolver,
        KeyTarget target,
        IronCageKeyHandlerOptions options,
        IClock clock,
        ILogger logger,
        IUsageRecorder? recorder,
        IBudgetGuard? guard,
        bool readsHeadroom)
    {
        _resolver = resolver;
        _target = target;
        _options = options;
        _clock = clock;
        _logger = logger;
        _recorder = options.CaptureUsage ? recorder : null;
        _guard = guard;
        _readsHeadroom = readsHeadroom;
        _retry = options.MaxTransientRetries <= 0
            ? ResiliencePipeline<HttpResponseMessage>.Empty
            : new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = options.MaxTransientRetries,
                    Delay = options.TransientRetryDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken)),
                    DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? RetryAfter(response.Headers, _clock.GetCurrentInstant().ToDateTimeOffset()) : null),
                    OnRetry = args =>
                    {
                        var reason = args.Outcome.Exception?.GetType().Name ?? $"HTTP {(int)args.Outcome.Result!.StatusCode}";
                        args.Outcome.Result?.Dispose();
                        if (_logger.IsEnabled(LogLevel.Debug))
                        {
                            Log.RetryingTransient(_logger, _target.Name, reason, args.AttemptNumber + 1, args.RetryDelay);
                        }

                        return default;
                    },
                })
                .Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var replayable = RequestFacts.IsReplayable(request.Content);
        List<KeyReference>? tried = null;
        List<KeySkip>? skips = null;
        RequestFacts? facts = null;
        ResolvedKey? forced = null;
        var refreshed = false;
        var first = true;

        while (true)
        {
            ResolvedKey key;
            try
            {
                key = forced ?? await _target.ResolveAsync(_resolver, tried, cancellationToken).ConfigureAwait(false);
            }
            catch (NoUsableKeyException exception) when (skips is not null)
            {
                throw new NoUsableKeyException(_target.Name, [.. skips, .. exception.Skipped]);
            }

            forced = null;
            if (first)
            {
                first = false;
                if (!_options.OverwriteCallerCredentials && CallerSetCredentials(request, key.Provider.Auth))
                {
                    return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                }
            }

            if ((_guard is not null || _resolver.HasTokenLimit(key.Key)) && facts is null)
            {
                facts = await RequestFacts.ReadAsync(request, _options.DefaultMaxOutputTokens, cancellationToken).ConfigureAwait(false);
            }

            if (!_resolver.TryAcquire(key, facts?.TokenEstimate ?? 0, out var limited))
            {
                if (!Skip(key, limited, ref tried, ref skips))
                {
                    throw new NoUsableKeyException(_target.Name, skips!);
                }

                continue;
            }

            var hold = _guard is null ? BudgetHold.Unlimited : await _guard.ReserveAsync(key.Key, facts!.Value.ToEstimate(), cancellationToken).ConfigureAwait(false);
            if (!hold.IsAdmitted)
            {
                if (!Skip(key, hold.Denial ?? new KeySkip(key.Key, KeySkipReason.LimitReached, "its budget is spent"), ref tried, ref skips))
                {
                    throw new NoUsableKeyException(_target.Name, skips!);
                }

                continue;
            }

            HttpResponseMessage response;
            try
            {
                response = await SendWithKeyAsync(request, key, replayable, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                await SettleAsync(hold, key).ConfigureAwait(false);
                if (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Record(key, facts?.Model, ProviderErrorKind.Transient);
                }

                throw;
            }

            if (response.IsSuccessStatusCode)
            {
                if (_readsHeadroom && Headroom(response.Headers) is { } headroom)
                {
                    _resolver.ReportHeadroom(key, headroom);
                }

                if ((_recorder is not null || !ReferenceEquals(hold, BudgetHold.Unlimited)) && response.Content is { } content)
                {
                    var eventStream = string.Equals(content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
                    response.Content = new UsageCapturingContent(content, new UsageCapture(key, facts?.Model, hold, _recorder, _clock, _logger, _models), eventStream, _options.MaxUsageBodyBytes);
                }

                return response;
            }

            var classification = await ClassifyAsync(response, key, cancellationToken).ConfigureAwait(false);
            await SettleAsync(hold, key).ConfigureAwait(false);
            var kind = classification.Kind ?? ProviderErrorKind.Unknown;
            Record(key, facts?.Model, kind);

            if (kind == ProviderErrorKind.InvalidKey && !refreshed && replayable)
            {
                // The key may have rotated elsewhere: read it again, and if the store has a newer version, try that once.
                refreshed = true;
                _resolver.Invalidate(key.Key);
                var fresh = await TryResolveAsync(key.Key, cancellationToken).ConfigureAwait(false);
                if (fresh is not null && !string.Equals(fresh.VersionId, key.VersionId, StringComparison.Ordinal))
                {
                    Log.RetryingWithRefreshedKey(_logger, key.Key, key.VersionId, key.DisplayHint, fresh.VersionId);
                    response.Dispose();
                    forced = fresh;
                    continue;
                }
            }

            if (Restriction(classification, kind, key) is not { } restriction)
            {
                return response;
            }

            _resolver.Restrict(key, restriction);
            if (_target.Pool is null || !replayable)
            {
                if (!replayable && _target.Pool is not null)
                {
                    Log.NotReplayable(_logger, key.Key);
                }

                return response;
            }

            Log.FailingOver(_logger, key.Key, kind.Value, classification.StatusCode, _target.Pool);
            Skip(key, new KeySkip(key.Key, restriction.Reason, restriction.Detail, restriction.Until), ref tried, ref skips);
            response.Dispose();
        }
    }

    private async ValueTask<HttpResponseMessage> SendWithKeyAsync(HttpRequestMessage request, ResolvedKey key, bool replayable, CancellationToken cancellationToken)
    {
        ApplyKey(request, key);
        if (!replayable || _options.MaxTransientRetries <= 0)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // The first attempt goes straight through; only a transient failure enters the retry pipeline, which takes that
        // failure as its first attempt and waits before each further one. The happy path pays nothing for Polly.
        Outcome<HttpResponseMessage> first;
        try
        {
            first = Outcome.FromResult(await base.SendAsync(request, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            first = Outcome.FromException<HttpResponseMessage>(exception);
        }

        if (!IsTransient(first, cancellationToken))
        {
            first.ThrowIfException();
            return first.Result!;
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var outcome = await _retry.ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    if (state.TakeFirst() is { } earlier)
                    {
                        return earlier;
                    }

                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendBaseAsync(state.Request, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext));
                    }
                    catch (Exception exception)
                    {
                        return Outcome.FromException<HttpResponseMessage>(exception);
                    }
                },
                context,
                new RetryState(this, request, first)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendBaseAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    private async Task<ResolvedKey?> TryResolveAsync(KeyReference key, CancellationToken cancellationToken)
    {
        try
        {
            return await _resolver.ResolveAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (NoUsableKeyException)
        {
            return null;
        }
    }

    private async Task<ProviderResponseClassification> ClassifyAsync(HttpResponseMessage response, ResolvedKey key, CancellationToken cancellationToken)
    {
        // Error bodies are small; buffering one lets the caller still read it after we have.
        ReadOnlyMemory<byte> body = ReadOnlyMemory<byte>.Empty;
        if (response.Content is { } content)
        {
            await ContentBuffer.LoadAsync(content, cancellationToken).ConfigureAwait(false);
            body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        return ProviderResponseClassifier.Classify(key.Provider, response, body, _clock.GetCurrentInstant(), secret: key.Secret);
    }

    private KeyRestriction? Restriction(ProviderResponseClassification classification, ProviderErrorKind kind, ResolvedKey key)
    {
        var now = _clock.GetCurrentInstant();
        var said = classification.ProviderErrorCode is { } code
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {classification.StatusCode} {code}")
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {classification.StatusCode}");
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
            var wait = classification.RetryAfter ?? _options.RateLimitCoolDown;
            return new KeyRestriction(KeySkipReason.CoolingDown, $"the provider is rate limiting it ({said})", now + Duration.FromTimeSpan(wait), null);
        }

        if (kind == ProviderErrorKind.QuotaExhausted)
        {
            var wait = classification.RetryAfter ?? _options.QuotaCoolDown;
            return new KeyRestriction(KeySkipReason.QuotaExhausted, $"its quota is exhausted ({said}); add credit or raise the limit", now + Duration.FromTimeSpan(wait), null);
        }

        // A transient failure that outlasted the retries says nothing about the key; a pool still moves on.
        return kind == ProviderErrorKind.Transient && _target.Pool is not null
            ? new KeyRestriction(KeySkipReason.CoolingDown, $"the provider kept failing ({said})", now + Duration.FromSeconds(1), null)
            : null;
    }

    private bool Skip(ResolvedKey key, KeySkip skip, ref List<KeyReference>? tried, ref List<KeySkip>? skips)
    {
        (skips ??= []).Add(skip);
        if (_target.Pool is null)
        {
            return false;
        }

        (tried ??= []).Add(key.Key);
        return true;
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

    // Our own key from an earlier attempt is replaced; the auth scheme's other headers (anthropic-version) stay as the
    // caller or the first attempt set them. The header value is built once per key version, not per request.
    private static void ApplyKey(HttpRequestMessage request, ResolvedKey key)
    {
        var auth = key.Provider.Auth;
        switch (auth.Kind)
        {
            case AuthSchemeKind.Bearer:
                request.Headers.Authorization = key.BearerHeader();
                break;
            case AuthSchemeKind.Header:
                request.Headers.Remove(auth.Name);
                request.Headers.TryAddWithoutValidation(auth.Name, key.RevealCached());
                break;
            default:
                key.ApplyTo(request, overwrite: true);
                return;
        }

        foreach (var (name, value) in auth.AdditionalHeaders)
        {
            if (!request.Headers.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    private static bool CallerSetCredentials(HttpRequestMessage request, AuthScheme auth) => auth.Kind switch
    {
        AuthSchemeKind.Bearer => request.Headers.Authorization is not null,
        AuthSchemeKind.Header => request.Headers.Contains(auth.Name) || (auth.AlternativeQueryParameter is { } query && HasQueryParameter(request.RequestUri, query)),
        _ => HasQueryParameter(request.RequestUri, auth.Name),
    };

    private static bool HasQueryParameter(Uri? uri, string name)
    {
        if (uri is null || !uri.IsAbsoluteUri || string.IsNullOrEmpty(uri.Query))
        {
            return false;
        }

        foreach (var part in uri.Query.TrimStart('?').Split('&'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (string.Equals(equals < 0 ? part : part[..equals], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken) => outcome switch
    {
        { Exception: HttpRequestException } => true,
        { Exception: OperationCanceledException } => !cancellationToken.IsCancellationRequested,
        { Result: { } response } => ProviderResponseClassifier.DefaultKind((int)response.StatusCode) == ProviderErrorKind.Transient,
        _ => false,
    };

    private static TimeSpan? RetryAfter(HttpResponseHeaders headers, DateTimeOffset now)
        => headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    // The share of the provider's rate limit left, from the tighter of requests and tokens: OpenAI-style
    // x-ratelimit-remaining-*/x-ratelimit-limit-* and Anthropic's anthropic-ratelimit-*-remaining/-limit.
    private static double? Headroom(HttpResponseHeaders headers)
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

    private sealed class RetryState(IronCageKeyHandler handler, HttpRequestMessage request, Outcome<HttpResponseMessage> first)
    {
        private Outcome<HttpResponseMessage>? _first = first;

        public IronCageKeyHandler Handler { get; } = handler;

        public HttpRequestMessage Request { get; } = request;

        public Outcome<HttpResponseMessage>? TakeFirst()
        {
            var earlier = _first;
            _first = null;
            return earlier;
        }
    }
}
