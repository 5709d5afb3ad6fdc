namespace IronCage.AspNetCore.Authorization;

/// <summary>Defaults of <see cref="AdminAccessOptions"/>.</summary>
public static class AdminAccessConstants
{
    /// <summary>The default MFA claim type (RFC 8176's authentication methods reference).</summary>
    public const string DefaultMfaClaimType = "amr";

    /// <summary>The default number of requests per client address and window.</summary>
    public const int DefaultRateLimitPermits = 120;

    /// <summary>Gets the default MFA claim values (RFC 8176).</summary>
    public static IReadOnlyList<string> DefaultMfaClaimValues { get; } = ["mfa", "otp", "hwk", "swk", "fpt", "face"];

    /// <summary>Gets the default rate limit window.</summary>
    public static TimeSpan DefaultRateLimitWindow { get; } = TimeSpan.FromMinutes(1);
}
