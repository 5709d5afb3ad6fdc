namespace IronCage.HealthChecks;

/// <summary>The names under which <see cref="Microsoft.Extensions.DependencyInjection.IronCageHealthChecksBuilderExtensions.AddIronCageHealthChecks"/> registers its checks, and their tag.</summary>
public static class IronCageHealthCheckNames
{
    /// <summary>The tag every IronCage check carries (filter a health endpoint with it).</summary>
    public const string Tag = "ironcage";

    /// <summary>The key store answers a read.</summary>
    public const string Store = "ironcage.store";

    /// <summary>The master key opens a stored secret.</summary>
    public const string MasterKey = "ironcage.master-key";

    /// <summary>The rotation scheduler of this instance runs its passes.</summary>
    public const string Scheduler = "ironcage.scheduler";

    /// <summary>No rotation is overdue.</summary>
    public const string OverdueRotations = "ironcage.rotations-overdue";

    /// <summary>No current key expires soon at its provider.</summary>
    public const string ExpiringKeys = "ironcage.keys-expiring";

    /// <summary>No old key that should have been revoked is still live at its provider.</summary>
    public const string FailedRevocations = "ironcage.revocations-failed";
}
