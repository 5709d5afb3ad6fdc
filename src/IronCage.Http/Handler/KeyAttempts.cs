namespace IronCage.Internal;

/// <summary>
/// The attempts of one request through the key handler, and their bound: each key of the target at most once (a pool
/// skips the keys it tried), plus one retry with a refreshed key after a 401. A request is resent only if its body can
/// be sent twice and it is still addressed to the origin of the first attempt.
/// </summary>
internal sealed class KeyAttempts(KeyTarget target, bool replayable, Uri? origin)
{
    private List<KeyReference>? _tried;
    private List<KeySkip>? _skips;
    private ResolvedKey? _forced;
    private bool _refreshed;
    private int _count;

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
            return await target.ResolveAsync(resolver, _tried, cancellationToken).ConfigureAwait(false);
        }
        catch (NoUsableKeyException exception) when (_skips is not null)
        {
            throw new NoUsableKeyException(target.Name, [.. _skips, .. exception.Skipped]);
        }
    }

    /// <summary>Records why a key was not used; a single key ends the request, a pool moves on.</summary>
    /// <exception cref="NoUsableKeyException">The target is a single key.</exception>
    public void Skip(ResolvedKey key, KeySkip skip)
    {
        (_skips ??= []).Add(skip);
        if (target.Pool is null)
        {
            throw new NoUsableKeyException(target.Name, _skips);
        }

        (_tried ??= []).Add(key.Key);
    }

    /// <summary>Gets the address the request had before any key was put on it.</summary>
    public Uri? AddressedTo => origin;

    /// <summary>Gets a value indicating whether the request's body can be sent twice.</summary>
    public bool IsReplayable => replayable;

    /// <summary>Tells whether <paramref name="current"/> (an inner handler may have redirected the request) has the origin of the first attempt.</summary>
    public bool IsSameOrigin(Uri? current) => ReferenceEquals(origin, current) || KeyAuth.SameOrigin(origin, current);

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
