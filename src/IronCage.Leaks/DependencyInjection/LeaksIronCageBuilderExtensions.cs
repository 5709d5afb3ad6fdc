using IronCage.Leaks.Response;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage;

/// <summary>Registers IronCage's leak response.</summary>
public static class LeaksIronCageBuilderExtensions
{
    /// <summary>
    /// Registers the <see cref="LeakResponder"/> with its policies. Needs rotation (<c>AddRotation()</c>) for the
    /// emergency path; notifications are used when registered. Safe to call twice (the configurations add up).
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the default policy and per-key policies.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddLeakResponse(this IIronCageBuilder builder, Action<LeakResponseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<LeakResponseOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<LeakResponder>();
        return builder;
    }
}
