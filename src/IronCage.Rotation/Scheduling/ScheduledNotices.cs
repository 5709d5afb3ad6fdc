namespace IronCage.Rotation;

/// <summary>The notices the scheduler sends through the engine's commands: reminders to people and expiry warnings.</summary>
/// <param name="Reminders">Reminds a person of a rotation that waits for a key they must supply.</param>
/// <param name="Expiry">Warns before a provider expires a key.</param>
internal sealed record ScheduledNotices(OverdueReminders Reminders, ExpiryWarnings Expiry);
