using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// The attempts of one request through the key handler, and their bound: each key of the target at most once (a pool
/// skips the keys it tried), plus one retry with a refreshed key after a 401. A request is resent only if its body can
/// be sent twice and it is still addressed to the origin of the first attempt.
/// </summary>
internal sealed class KeyAttempts
{
    private readonly KeyTarget _target;
    private readonly bool _replayable;
    private readonly Uri? _origin;
    private Task<ResolvedKey>? _first;
    private List<KeyReference>? _tried;
    private List<KeySkip>? _skips;
    private ResolvedKey? _forced;
    private bool _refreshed;
    private int _count;

    /// <summary>Starts the attempts of <paramref name="request"/>.</summary>
    /// <param name="target">What keys are drawn from.</param>
    /// <param name="request">The request.</param>
    /// <param name="addressedTo">Where the request was addressed before any key was put on it (an inner handler may have changed it since).</param>
    /// <param name="first">The first key, when its resolve already began; <see langword="null"/> when the first attempt was already sent.</param>
    public KeyAttempts(KeyTarget target, HttpRequestMessage request, Uri? addressedTo, Task<ResolvedKey>? first)
    {
        _target = target;
        _replayable = RequestFacts.IsReplayable(request.Content);
        _origin = addressedTo;
        _first = first;
        _count = first is null ? 1 : 0;
    }

    /// <summary>Gets a value indicating whether the key last handed out is the request's first.</summary>
    public bool IsFirst => _count == 1;

    /// <summary>Gets the next key: the refreshed one after a 401, else the target's next usable key.</summary>
    /// <exception cref="NoUsableKeyException">No key is left; it names why each was skipped.</exception>
    public async ValueTask<ResolvedKey> NextKeyAsync(IKeyResolver resolver, CancellationToken cancellationToken)
    {
        _count++;
        if (_forced is { } forced)
        {
            _forced = null;
            return forced;
        }

        try
        {
            if (_first is { } first)
            {
                _first = null;
                return await first.ConfigureAwait(false);
            }

            return await _target.ResolveAsync(resolver, _tried, cancellationToken).ConfigureAwait(false);
        }
        catch (NoUsableKeyException exception) when (_skips is not null)
        {
            throw new NoUsableKeyException(_target.Name, [.. _skips, .. exception.Skipped]);
        }
    }

    /// <summary>Records why a key was not used; a single key ends the request, a pool moves on.</summary>
    /// <exception cref="NoUsableKeyException">The target is a single key.</exception>
    public void Skip(ResolvedKey key, KeySkip skip)
    {
        (_skips ??= []).Add(skip);
        if (_target.Pool is null)
        {
            throw new NoUsableKeyException(_target.Name, _skips);
        }

        (_tried ??= []).Add(key.Key);
    }

    /// <summary>Gets the address the request had before any key was put on it.</summary>
    public Uri? AddressedTo => _origin;

    /// <summary>Gets a value indicating whether the request's body can be sent twice.</summary>
    public bool IsReplayable => _replayable;

    /// <summary>Tells whether <paramref name="current"/> (an inner handler may have redirected the request) has the origin of the first attempt.</summary>
    public bool IsSameOrigin(Uri? current) => ReferenceEquals(_origin, current) || KeyAuth.SameOrigin(_origin, current);

    /// <summary>Takes the one refresh a request gets.</summary>
    public bool TryRefresh()
    {
        if (_refreshed)
        {
            return false;
        }

        _refreshed = true;
        return true;
    }

    public void Force(ResolvedKey key) => _forced = key;
}
