using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage;

/// <summary>Turns on adoption-confirmed revocation: the old key is revoked after its grace period only once every consumer moved (see docs/adoption.md).</summary>
public static class KeyAdoptionIronCageBuilderExtensions
{
    /// <summary>
    /// Makes revocation after the grace period wait for adoption (<see cref="RotationOptions.WaitForAdoption"/>): every
    /// live host instance serves the new version, nothing is in flight on the old one and every
    /// <see cref="IKeyAdoptionReporter"/> adopted, with <see cref="RotationOptions.AdoptionFloor"/> as the floor and the
    /// grace period as the ceiling. Adds the rotation engine if it is not there yet.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the floor, the instance timeout and the check interval.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Host instances report through the <see cref="IInstanceHeartbeatStore"/> of the shared store
    /// (<c>PersistToSqlite</c>, <c>PersistToPostgreSql</c>; in memory otherwise) with <c>AddInstanceHeartbeat()</c>
    /// from IronCage.Http. Without heartbeats and reporters nothing is waited for beyond the floor.
    /// </remarks>
    public static IIronCageBuilder WaitForKeyAdoption(this IIronCageBuilder builder, Action<RotationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddRotation();
        builder.Services.Configure<RotationOptions>(o =>
        {
            o.WaitForAdoption = true;
            configure?.Invoke(o);
        });
        return builder;
    }

    /// <summary>Adds a consumer that reports adoption of new key versions; the rotation waits for it when <see cref="RotationOptions.WaitForAdoption"/> is on.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="reporter">The reporter.</param>
    /// <returns>The builder.</returns>
    /// <remarks>A registered <see cref="IKeyDistributionTarget"/> that implements <see cref="IKeyAdoptionReporter"/> is asked without this call.</remarks>
    public static IIronCageBuilder AddKeyAdoptionReporter(this IIronCageBuilder builder, IKeyAdoptionReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(reporter);
        builder.Services.AddSingleton(reporter);
        return builder;
    }
}
