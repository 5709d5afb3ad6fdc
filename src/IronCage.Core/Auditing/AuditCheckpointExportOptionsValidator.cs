using Microsoft.Extensions.Options;

namespace IronCage.Auditing;

/// <summary>Validates <see cref="AuditCheckpointExportOptions"/> at start.</summary>
internal sealed class AuditCheckpointExportOptionsValidator : IValidateOptions<AuditCheckpointExportOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditCheckpointExportOptions options)
    {
        var failures = new List<string>();
        if (options.Interval < AuditCheckpointExportConstants.MinInterval || options.Interval > AuditCheckpointExportConstants.MaxInterval)
        {
            failures.Add($"AuditCheckpointExportOptions.Interval is {options.Interval}; use between {AuditCheckpointExportConstants.MinInterval} and {AuditCheckpointExportConstants.MaxInterval}.");
        }

        if (options.FilePath is { } path && string.IsNullOrWhiteSpace(path))
        {
            failures.Add("AuditCheckpointExportOptions.FilePath is blank; set the path of a file on a volume the database's writers cannot write, or register an IAuditCheckpointSink.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
