namespace IronCage.AspNetCore.Dashboard;

/// <summary>The messages a finished action redirects with (a fixed set: nothing from the request is echoed).</summary>
internal static class DashboardNotices
{
    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["created"] = "The key was verified at the provider and stored encrypted. Only its hint is shown from now on.",
        ["rotated"] = "Rotation started: the new key is current; the old one stays valid until the grace period ends.",
        ["rotated-emergency"] = "Emergency rotation done: the new key is current and the old one was revoked.",
        ["revoked"] = "The key was revoked: it is no longer served and was revoked at the provider.",
        ["killed"] = "Kill switch on: the version is no longer served.",
        ["verify-valid"] = "Verified at the provider: the current key is valid.",
        ["verify-invalid"] = "Verified at the provider: the current key was NOT accepted.",
        ["policy"] = "The rotation schedule was saved.",
        ["supplied"] = "The new key was verified and promoted.",
        ["cancelled"] = "The rotation was cancelled; the old key stays current.",
        ["limits"] = "The usage limits were saved; the usage gate applies them at once.",
        ["alerts"] = "The alert thresholds were saved.",
        ["deleted"] = "The managed key was deleted. Its audit trail stays.",
        ["recorded"] = "The manual rotation was recorded: the new key was verified and is current. Delete the old key in the provider's console after the grace period.",
        ["resumed"] = "The operation was resumed and ran as far as it could.",
        ["resume-waiting"] = "The operation is waiting for its retry time or for a person; it runs on its own when that comes. See its history entry.",
        ["grace-ended"] = "The grace period ended: the old key was revoked.",
        ["grace-ended-paused"] = "The grace period ended, but revoking the old key did not succeed: see the rotation history for the reason and whether it is retried.",
    };

    // Outcomes that finished the request but not the job: shown as a warning, not as a success.
    private static readonly HashSet<string> Warnings = new(StringComparer.Ordinal) { "verify-invalid", "grace-ended-paused", "resume-waiting" };

    public static string? For(string? code) => code is not null && Messages.TryGetValue(code, out var message) ? message : null;

    public static bool IsWarning(string? code) => code is not null && Warnings.Contains(code);
}
