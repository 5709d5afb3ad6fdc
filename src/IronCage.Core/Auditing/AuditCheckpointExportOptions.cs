namespace IronCage.Auditing;

/// <summary>Settings of <see cref="AuditCheckpointExporter"/>: how often it exports, and to which file (unless an <see cref="IAuditCheckpointSink"/> is registered).</summary>
public sealed class AuditCheckpointExportOptions
{
    /// <summary>Gets or sets how often a checkpoint is exported; the first export happens at start.</summary>
    /// <value>15 minutes (<see cref="AuditCheckpointExportConstants.DefaultInterval"/>); between 1 second and 1 day.</value>
    /// <remarks>Records appended after the latest checkpoint can be cut without a trace until the next one: the interval is that window.</remarks>
    public TimeSpan Interval { get; set; } = AuditCheckpointExportConstants.DefaultInterval;

    /// <summary>
    /// Gets or sets the file checkpoints are appended to (<see cref="FileAuditCheckpointSink"/>), on a volume the
    /// database's writers cannot write. Ignored when the host registers its own <see cref="IAuditCheckpointSink"/>.
    /// </summary>
    public string? FilePath { get; set; }
}
