using IronCage.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds IronCage's health checks to a host's <see cref="IHealthChecksBuilder"/>.</summary>
public static class IronCageHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds six checks, each tagged <see cref="IronCageHealthCheckNames.Tag"/>: the store answers, the master key opens a
    /// stored secret, this instance's rotation scheduler runs, no rotation is overdue, no key expires soon, no revocation
    /// failed. Store, master key and failed revocations report <see cref="HealthStatus.Unhealthy"/> when they fail;
    /// scheduler, overdue and expiring keys report <see cref="HealthStatus.Degraded"/> for attention and unhealthy only
    /// when the scheduler stopped or a key already expired.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="tags">More tags for every check (for example <c>ready</c>).</param>
    /// <returns>The builder.</returns>
    /// <remarks>Needs <c>services.AddIronCage()</c> with a store and <c>AddRotation()</c>; the scheduler check looks for <c>AddRotationScheduler()</c>.</remarks>
    public static IHealthChecksBuilder AddIronCageHealthChecks(this IHealthChecksBuilder builder, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string[] all = [IronCageHealthCheckNames.Tag, .. tags ?? []];
        return builder
            .Add(new HealthCheckRegistration(IronCageHealthCheckNames.Store, sp => ActivatorUtilities.CreateInstance<StoreHealthCheck>(sp), HealthStatus.Unhealthy, all))
            .Add(new HealthCheckRegistration(IronCageHealthCheckNames.MasterKey, sp => ActivatorUtilities.CreateInstance<MasterKeyHealthCheck>(sp), HealthStatus.Unhealthy, all))
            .Add(new HealthCheckRegistration(IronCageHealthCheckNames.Scheduler, sp => ActivatorUtilities.CreateInstance<SchedulerHealthCheck>(sp), HealthStatus.Unhealthy, all))
            .Add(new HealthCheckRegistration(IronCageHealthCheckNames.OverdueRotations, sp => ActivatorUtilities.CreateInstance<OverdueRotationsHealthCheck>(sp), HealthStatus.Degraded, all))
            .Add(new HealthCheckRegistration(IronCageHealthCheckNames.ExpiringKeys, sp => ActivatorUtilities.CreateInstance<ExpiringKeysHealthCheck>(sp), HealthStatus.Unhealthy, all))
            .Add(new HealthCheckRegistration(IronCageHealthCheckNames.FailedRevocations, sp => ActivatorUtilities.CreateInstance<FailedRevocationsHealthCheck>(sp), HealthStatus.Unhealthy, all));
    }
}
