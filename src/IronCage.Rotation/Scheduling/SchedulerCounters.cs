namespace IronCage.Rotation;

/// <summary>What a scheduler pass did so far. Fields, so parallel workers update them with <see cref="Interlocked"/>.</summary>
internal sealed class SchedulerCounters
{
    public int Started;
    public int Resumed;
    public int Completed;
    public int Failed;
    public int Reminders;
    public int ExpiryWarnings;
    public int Skipped;
    public int LeasesLost;
    public int Errors;

    public SchedulerRunResult ToResult() => new()
    {
        Started = Started,
        Resumed = Resumed,
        Completed = Completed,
        Failed = Failed,
        Reminders = Reminders,
        ExpiryWarnings = ExpiryWarnings,
        Skipped = Skipped,
        LeasesLost = LeasesLost,
        Errors = Errors,
    };
}
