namespace IronCage.Leaks.Egress;

/// <summary>The delegating handler that runs <see cref="LeakEgressGuard"/> before a request is sent.</summary>
internal sealed class LeakEgressGuardHandler(LeakEgressGuard guard) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await guard.EnsureAllowedAsync(request, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
