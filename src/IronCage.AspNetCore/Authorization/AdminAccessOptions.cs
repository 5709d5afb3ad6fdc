using System.Net;

namespace IronCage.AspNetCore.Authorization;

/// <summary>Access rules of IronCage's operator surface beyond the host's authorization policies.</summary>
public sealed class AdminAccessOptions
{
    /// <summary>Gets or sets the claim that lists how the user authenticated (RFC 8176).</summary>
    /// <value>The default value is <c>amr</c>.</value>
    public string MfaClaimType { get; set; } = AdminAccessConstants.DefaultMfaClaimType;

    /// <summary>Gets the claim values that count as multi-factor authentication.</summary>
    /// <value>The default values are <c>mfa</c>, <c>otp</c>, <c>hwk</c>, <c>swk</c>, <c>fpt</c> and <c>face</c>.</value>
    public ISet<string> MfaClaimValues { get; } = new HashSet<string>(AdminAccessConstants.DefaultMfaClaimValues, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets the client networks allowed per permission (key: one of <see cref="AdminPermissions"/>). A permission with
    /// no entry is allowed from every address its policy allows. The address is <c>HttpContext.Connection.RemoteIpAddress</c>:
    /// behind a proxy, the host's ForwardedHeaders middleware sets it; IronCage never reads a forwarding header itself.
    /// </summary>
    public IDictionary<string, IList<IPNetwork>> AllowedNetworks { get; } = new Dictionary<string, IList<IPNetwork>>(StringComparer.Ordinal);

    /// <summary>Gets or sets a value indicating whether every operation that changes something is refused (403).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ReadOnly { get; set; }

    /// <summary>Gets or sets how many requests one client address may make per <see cref="RateLimitWindow"/>; 0 turns the limit off.</summary>
    /// <value>The default value is 120.</value>
    public int RateLimitPermits { get; set; } = AdminAccessConstants.DefaultRateLimitPermits;

    /// <summary>Gets or sets the rate limit's window.</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan RateLimitWindow { get; set; } = AdminAccessConstants.DefaultRateLimitWindow;

    /// <summary>Allows <paramref name="networks"/> (CIDR, such as <c>10.0.0.0/8</c>) for <paramref name="permission"/>.</summary>
    /// <param name="permission">The permission.</param>
    /// <param name="networks">The networks.</param>
    /// <returns>These options.</returns>
    public AdminAccessOptions AllowNetworks(string permission, params string[] networks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(permission);
        ArgumentNullException.ThrowIfNull(networks);
        if (!AllowedNetworks.TryGetValue(permission, out var list))
        {
            AllowedNetworks[permission] = list = [];
        }

        foreach (var network in networks)
        {
            list.Add(IPNetwork.Parse(network));
        }

        return this;
    }
}
