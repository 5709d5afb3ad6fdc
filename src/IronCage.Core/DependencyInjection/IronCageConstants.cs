using NodaTime;

namespace IronCage;

/// <summary>IronCage's defaults and well-known names.</summary>
public static class IronCageConstants
{
    /// <summary>The name of the <see cref="HttpClient"/> IronCage uses for verification calls; configure it with <c>AddHttpClient(IronCageConstants.VerifyHttpClientName)</c>.</summary>
    public const string VerifyHttpClientName = "IronCage.Verify";

    /// <summary>The environment variable the local master key is read from when no other source is configured.</summary>
    public const string MasterKeyEnvironmentVariable = "IRONCAGE_MASTER_KEY";

    /// <summary>The most response-body bytes a verification reads.</summary>
    public const int MaxVerifyResponseBytes = 64 * 1024;

    /// <summary>Gets the default grace period: 24 hours.</summary>
    public static Duration DefaultGracePeriod { get; } = Duration.FromHours(24);

    /// <summary>Gets the default expiry warning lead: 14 days.</summary>
    public static Duration DefaultExpiryWarningLead { get; } = Duration.FromDays(14);

    /// <summary>Gets the renewal lead a generated key (<see cref="Providers.RotationTier.Generated"/>) gets when its policy sets none (<see cref="RotationPolicy.RenewBeforeExpiry"/>): one hour.</summary>
    public static Duration DefaultRenewBeforeExpiry { get; } = Duration.FromHours(1);

    /// <summary>The longest <see cref="ManagedKey.Description"/>: 1,024 characters.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>The most entries of <see cref="ManagedKey.Labels"/>, <see cref="ManagedKey.Scope"/> or <see cref="KeyVersion.Metadata"/>: 64.</summary>
    public const int MaxLabels = 64;

    /// <summary>The longest name of a label, scope or metadata entry: 128 characters.</summary>
    public const int MaxLabelNameLength = 128;

    /// <summary>The longest value of a label, scope or metadata entry: 1,024 characters.</summary>
    public const int MaxLabelValueLength = 1024;

    /// <summary>The longest <see cref="KeyVersion.ProviderKeyId"/>, <see cref="KeyVersion.DisplayHint"/> or <see cref="KeyVersion.Slot"/>: 1,024 characters.</summary>
    public const int MaxProviderTextLength = 1024;

    /// <summary>Gets the longest span a policy's schedule, key lifetime, expiry warning lead or jitter may have: 10 years (3,653 days).</summary>
    public static Duration MaxPolicySpan { get; } = Duration.FromDays(3653);

    /// <summary>Gets the longest grace period a policy may set: 30 days.</summary>
    public static Duration MaxGracePeriod { get; } = Duration.FromDays(30);

    /// <summary>Gets the default verification timeout: 30 seconds.</summary>
    public static TimeSpan DefaultVerifyTimeout { get; } = TimeSpan.FromSeconds(30);
}
