namespace IronCage.Rotation;

/// <summary>What one scheduler pass did (see <see cref="RotationScheduler.RunDueAsync"/>).</summary>
public sealed record SchedulerRunResult
{
    /// <summary>Gets how many rotations were started.</summary>
    public int Started { get; init; }

    /// <summary>Gets how many unfinished rotations were continued (deferrals, ended grace periods, crashes).</summary>
    public int Resumed { get; init; }

    /// <summary>Gets how many rotations reached Completed in this pass.</summary>
    public int Completed { get; init; }

    /// <summary>Gets how many rotations ended Failed or RevocationFailed in this pass.</summary>
    public int Failed { get; init; }

    /// <summary>Gets how many reminders were sent.</summary>
    public int Reminders { get; init; }

    /// <summary>Gets how many expiry warnings were sent.</summary>
    public int ExpiryWarnings { get; init; }

    /// <summary>Gets how many keys were skipped because another instance held them.</summary>
    public int Skipped { get; init; }

    /// <summary>Gets how many keys' work stopped because this instance lost its lease on them (another instance resumes it).</summary>
    public int LeasesLost { get; init; }

    /// <summary>
    /// Gets how many keys' work threw (a row that cannot be read, an unusable schedule, an unknown provider, a store or
    /// provider error), plus any work source that could not be read. Each was logged without secrets; the pass went on
    /// with the other keys, and the key is tried again on the next pass.
    /// </summary>
    public int Errors { get; init; }
}
