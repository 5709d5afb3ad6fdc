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

    /// <summary>Gets the longest grace period a policy may set: 30 days.</summary>
    public static Duration MaxGracePeriod { get; } = Duration.FromDays(30);

    /// <summary>Gets the default verification timeout: 30 seconds.</summary>
    public static TimeSpan DefaultVerifyTimeout { get; } = TimeSpan.FromSeconds(30);
}
