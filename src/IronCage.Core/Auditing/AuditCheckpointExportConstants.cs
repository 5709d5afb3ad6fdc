namespace IronCage.Auditing;

/// <summary>The defaults and bounds of <see cref="AuditCheckpointExportOptions"/>.</summary>
public static class AuditCheckpointExportConstants
{
    /// <summary>Gets the default export interval: 15 minutes.</summary>
    public static TimeSpan DefaultInterval { get; } = TimeSpan.FromMinutes(15);

    /// <summary>Gets the shortest interval accepted: 1 second.</summary>
    public static TimeSpan MinInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the longest interval accepted: 1 day.</summary>
    public static TimeSpan MaxInterval { get; } = TimeSpan.FromDays(1);
}
