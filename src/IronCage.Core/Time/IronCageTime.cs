using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace IronCage;

/// <summary>
/// Registers NodaTime's <see cref="IClock"/> and the BCL's <see cref="TimeProvider"/> as one time source: whichever
/// of the two the host registers (before or after <c>AddIronCage()</c>) drives the other, so a host or test that fakes
/// one has faked both. With neither registered, both are the system clock.
/// </summary>
internal static class IronCageTime
{
    public static void Register(IServiceCollection services)
    {
        // The descriptors are kept so that, at resolution, IronCage can tell whether the registration that won for each
        // type is its own default or the host's (a host's registration made after AddIronCage() wins in the container).
        var source = new Source(services);
        services.TryAddSingleton(source);
        var clock = ServiceDescriptor.Singleton<IClock>(sp => sp.GetRequiredService<Source>().CreateClock(sp));
        var time = ServiceDescriptor.Singleton<TimeProvider>(sp => sp.GetRequiredService<Source>().CreateTimeProvider(sp));
        if (!services.Any(d => d.ServiceType == typeof(IClock) && !d.IsKeyedService))
        {
            services.Add(clock);
            source.OwnClock = clock;
        }

        if (!services.Any(d => d.ServiceType == typeof(TimeProvider) && !d.IsKeyedService))
        {
            services.Add(time);
            source.OwnTimeProvider = time;
        }
    }

    internal sealed class Source(IServiceCollection services)
    {
        public ServiceDescriptor? OwnClock { get; set; }

        public ServiceDescriptor? OwnTimeProvider { get; set; }

        public IClock CreateClock(IServiceProvider provider)
        {
            if (IsOwnWinner(typeof(TimeProvider), OwnTimeProvider))
            {
                return SystemClock.Instance;
            }

            return provider.GetRequiredService<TimeProvider>() switch
            {
                ClockTimeProvider bridged => bridged.Clock,
                var system when ReferenceEquals(system, TimeProvider.System) => SystemClock.Instance,
                var hosts => new TimeProviderClock(hosts),
            };
        }

        public TimeProvider CreateTimeProvider(IServiceProvider provider)
        {
            if (IsOwnWinner(typeof(IClock), OwnClock))
            {
                return TimeProvider.System;
            }

            return provider.GetRequiredService<IClock>() switch
            {
                TimeProviderClock bridged => bridged.Time,
                var system when ReferenceEquals(system, SystemClock.Instance) => TimeProvider.System,
                var hosts => new ClockTimeProvider(hosts),
            };
        }

        private bool IsOwnWinner(Type serviceType, ServiceDescriptor? own)
        {
            if (own is null)
            {
                return false;
            }

            ServiceDescriptor? winner = null;
            foreach (var descriptor in services)
            {
                if (descriptor.ServiceType == serviceType && !descriptor.IsKeyedService)
                {
                    winner = descriptor;
                }
            }

            return ReferenceEquals(winner, own);
        }
    }
}
