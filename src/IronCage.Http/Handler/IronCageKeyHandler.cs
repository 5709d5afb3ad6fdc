using IronCage.Http;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// The key handler behind <c>AddIronCageKey</c>: resolves the key (through <see cref="IKeyResolver"/>, so a host's own
/// resolver is used), checks the client-side rate limit, puts the key on the request with its provider's auth, and
/// reads the answer: on 401 it re-reads the key and, if the store has a newer version, retries once; on 401/403/429 or
/// an exhausted quota it restricts the key in <see cref="IKeyHealth"/> and a pool moves on to its next key. Nothing
/// else is retried (that is the resilience handler's job), and a key is never resent to another origin.
/// </summary>
internal sealed class IronCageKeyHandler : DelegatingHandler
{
    private readonly IKeyResolver _resolver;
    private readonly IKeyHealth _health;
    private readonly IClientRateLimiter _limiter;
    private readonly KeyTarget _target;
    private readonly IronCageKeyHandlerOptions _options;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly bool _readsHeadroom;
    private readonly bool _usageHandlerFollows;
    private readonly KeyActivityTracker? _activity;
    private readonly object _redirectGate = new();
    private volatile bool _redirectsOff;

    public IronCageKeyHandler(IKeyResolver resolver, IKeyHealth health, IClientRateLimiter limiter, KeyTarget target, IronCageKeyHandlerOptions options, IClock clock, ILogger logger, bool readsHeadroom, bool usageHandlerFollows, KeyActivityTracker? activity = null)
    {
        _activity = activity;
        _resolver = resolver;
        _health = health;
        _limiter = limiter;
        _target = target;
        _options = options;
        _clock = clock;
        _logger = logger;
        _readsHeadroom = readsHeadroom;
        _usageHandlerFollows = usageHandlerFollows;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_redirectsOff)
        {
            TurnRedirectsOff();
        }

        // The common case pays for no state machine: a cached key, no token limit, an answer that is already in and
        // good. Everything else (a load, a refusal, an error answer, an answer still on its way) goes to SendLoopAsync.
        var addressedTo = request.RequestUri;
        var resolving = _target.ResolveAsync(_resolver, null, cancellationToken);
        if (!resolving.IsCompletedSuccessfully)
        {
            return SendLoopAsync(request, addressedTo, new KeyAttempts(_target, request, addressedTo, resolving.AsTask()), null, null, cancellationToken);
        }

        var key = resolving.Result;
        if (!_options.OverwriteCallerCredentials && KeyAuth.CallerSetCredentials(request, key.Provider.Auth))
        {
            return base.SendAsync(request, cancellationToken);
        }

        if (_limiter.CountsTokens(key.Key) || !_limiter.TryAcquire(key.Key, 0, out _))
        {
            return SendLoopAsync(request, addressedTo, new KeyAttempts(_target, request, addressedTo, Task.FromResult(key)), null, null, cancellationToken);
        }

        Task<HttpResponseMessage> sending;
        try
        {
            sending = SendWithKeyAsync(request, key, null, cancellationToken);
        }
        catch
        {
            TakeKeyOff(request, key, addressedTo);
            throw;
        }

        if (sending.IsCompletedSuccessfully && sending.Result.IsSuccessStatusCode && !_readsHeadroom)
        {
            if (_activity is not null)
            {
                KeyActivityTracker.End(key);
            }

            TakeKeyOff(request, key, addressedTo);
            return sending;
        }

        return SendLoopAsync(request, addressedTo, new KeyAttempts(_target, request, addressedTo, null), key, sending, cancellationToken);
    }

    /// <summary>Attempts until an answer goes to the caller; <paramref name="key"/> and <paramref name="sending"/> are the first attempt when it already started.</summary>
    private async Task<HttpResponseMessage> SendLoopAsync(HttpRequestMessage request, Uri? addressedTo, KeyAttempts attempts, ResolvedKey? key, Task<HttpResponseMessage>? sending, CancellationToken cancellationToken)
    {
        var applied = sending is null ? null : key;
        try
        {
            while (true)
            {
                if (sending is null)
                {
                    key = await attempts.NextKeyAsync(_resolver, cancellationToken).ConfigureAwait(false);
                    if (attempts.IsFirst && !_options.OverwriteCallerCredentials && KeyAuth.CallerSetCredentials(request, key.Provider.Auth))
                    {
                        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    }

                    var facts = _limiter.CountsTokens(key.Key)
                        ? await RequestFacts.ReadAsync(request, _options.DefaultMaxOutputTokens, _options.MaxUsageBodyBytes, cancellationToken).ConfigureAwait(false)
                        : (RequestFacts?)null;
                    if (!_limiter.TryAcquire(key.Key, facts?.TokenEstimate ?? 0, out var limited))
                    {
                        attempts.Skip(key, limited);
                        continue;
                    }

                    applied = key;
                    sending = SendWithKeyAsync(request, key, facts, cancellationToken);
                }

                HttpResponseMessage response;
                try
                {
                    response = await sending.ConfigureAwait(false);
                }
                catch (NoUsableKeyException refused) when (refused.Skipped.Count != 0)
                {
                    // The usage handler refused the key (its budget is spent): a pool tries its next key.
                    attempts.Skip(key!, refused.Skipped[0]);
                    continue;
                }
                finally
                {
                    sending = null;
                    if (_activity is not null)
                    {
                        KeyActivityTracker.End(key!);
                    }
                }

                if (await DecideAsync(request, response, key!, attempts, cancellationToken).ConfigureAwait(false))
                {
                    return response;
                }

                response.Dispose();
            }
        }
        finally
        {
            if (applied is not null)
            {
                TakeKeyOff(request, applied, addressedTo);
            }
        }
    }

    // Counted in flight from here until the caller has the answer (or the failure) of this attempt: every caller ends
    // the count once it observed the returned task; a synchronous throw ends it here.
    private Task<HttpResponseMessage> SendWithKeyAsync(HttpRequestMessage request, ResolvedKey key, RequestFacts? facts, CancellationToken cancellationToken)
    {
        if (_activity is null)
        {
            return SendAppliedAsync(request, key, facts, cancellationToken);
        }

        _activity.Begin(key);
        try
        {
            return SendAppliedAsync(request, key, facts, cancellationToken);
        }
        catch
        {
            KeyActivityTracker.End(key);
            throw;
        }
    }

    private Task<HttpResponseMessage> SendAppliedAsync(HttpRequestMessage request, ResolvedKey key, RequestFacts? facts, CancellationToken cancellationToken)
    {
        KeyAuth.Apply(request, key);
        if (InnerHandler is IronCageUsageHandler usage)
        {
            return usage.SendAsync(request, key, facts, cancellationToken);
        }

        if (_usageHandlerFollows)
        {
            // Another handler sits between this one and the usage handler: the key travels on the request.
            request.Options.Set(IronCageRequest.Key, key);
        }

        return base.SendAsync(request, cancellationToken);
    }

    private void TakeKeyOff(HttpRequestMessage request, ResolvedKey key, Uri? addressedTo)
    {
        KeyAuth.Remove(request, key, addressedTo);
        if (_usageHandlerFollows && InnerHandler is not IronCageUsageHandler)
        {
            IronCageRequest.Remove(request);
        }
    }

    /// <summary>Reads the answer; returns <see langword="true"/> when it goes to the caller, <see langword="false"/> when the attempts go on.</summary>
    private async Task<bool> DecideAsync(HttpRequestMessage request, HttpResponseMessage response, ResolvedKey key, KeyAttempts attempts, CancellationToken cancellationToken)
    {
        if ((int)response.StatusCode is >= 300 and < 400)
        {
            // Not followed (RedirectGuard): the caller gets the redirect and decides; it says nothing about the key.
            return true;
        }

        if (response.IsSuccessStatusCode)
        {
            if (_readsHeadroom && ProviderAnswer.Headroom(response.Headers) is { } headroom)
            {
                _health.ReportHeadroom(key.Key, headroom);
            }

            return true;
        }

        var classification = await ProviderAnswer.ClassifyAsync(response, key, _clock, cancellationToken).ConfigureAwait(false);
        var resendable = attempts.IsReplayable && attempts.IsSameOrigin(request.RequestUri);
        if (classification.Kind == ProviderErrorKind.InvalidKey && resendable && attempts.TryRefresh())
        {
            // The key may have rotated elsewhere: read it again, and if the store has a newer version, try that once.
            _resolver.Invalidate(key.Key);
            if (await TryResolveAsync(key.Key, cancellationToken).ConfigureAwait(false) is { } fresh && !string.Equals(fresh.VersionId, key.VersionId, StringComparison.Ordinal))
            {
                Log.RetryingWithRefreshedKey(_logger, key.Key, key.VersionId, key.DisplayHint, fresh.VersionId);
                attempts.Force(fresh);
                return false;
            }
        }

        if (ProviderAnswer.RestrictionFor(classification, key, _options, _clock.GetCurrentInstant()) is not { } restriction)
        {
            return true;
        }

        _health.Restrict(key, restriction);
        Log.KeyRestricted(_logger, key.Key, key.VersionId, restriction.Reason, restriction.Until, restriction.Detail);
        if (_target.Pool is not { } pool)
        {
            return true;
        }

        if (!resendable)
        {
            if (!attempts.IsReplayable)
            {
                Log.NotReplayable(_logger, key.Key);
            }
            else
            {
                Log.NotResentAcrossOrigins(_logger, key.Key);
            }

            return true;
        }

        Log.FailingOver(_logger, key.Key, classification.Kind!.Value.Value, classification.StatusCode, pool);
        attempts.Skip(key, restriction.ToSkip(key.Key));
        return false;
    }

    private void TurnRedirectsOff()
    {
        lock (_redirectGate)
        {
            if (!_redirectsOff)
            {
                RedirectGuard.EnsureNotFollowed(this, _target.Name);
                _redirectsOff = true;
            }
        }
    }

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
}
