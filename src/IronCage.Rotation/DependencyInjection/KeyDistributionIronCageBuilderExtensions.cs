using System.Diagnostics.CodeAnalysis;
using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Adds distribution targets: places the rotation engine writes a verified new key to before promoting it.</summary>
public static class KeyDistributionIronCageBuilderExtensions
{
    /// <summary>Adds a distribution target built by the container. Adding the same type twice adds it once.</summary>
    /// <typeparam name="TTarget">The target type.</typeparam>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddKeyDistributionTarget<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TTarget>(this IIronCageBuilder builder)
        where TTarget : class, IKeyDistributionTarget
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IKeyDistributionTarget, TTarget>());
        return builder;
    }

    /// <summary>Adds a distribution target instance.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="target">The target.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddKeyDistributionTarget(this IIronCageBuilder builder, IKeyDistributionTarget target)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(target);
        builder.Services.AddSingleton(target);
        return builder;
    }
}
