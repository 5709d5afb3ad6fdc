using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Core.Tests.DependencyInjection;

public sealed class TimeRegistrationTests
{
    private static readonly Instant Fixed = Instant.FromUtc(2031, 5, 6, 7, 8, 9);

    [Fact]
    public void AddIronCage_NoHostTime_BothAreTheSystemClock()
    {
        using var provider = new ServiceCollection().AddIronCage().Services.BuildServiceProvider();

        provider.GetRequiredService<IClock>().Should().BeSameAs(SystemClock.Instance);
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
    }

    [Fact]
    public void AddIronCage_HostFakeTimeProviderRegisteredAfter_ClockFollowsIt()
    {
        var services = new ServiceCollection();
        services.AddIronCage();
        var fake = new FakeTimeProvider(Fixed.ToDateTimeOffset());
        services.AddSingleton<TimeProvider>(fake);
        using var provider = services.BuildServiceProvider();

        var clock = provider.GetRequiredService<IClock>();
        clock.GetCurrentInstant().Should().Be(Fixed);
        fake.Advance(TimeSpan.FromHours(3));
        clock.GetCurrentInstant().Should().Be(Fixed + Duration.FromHours(3));
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(fake);
    }

    [Fact]
    public void AddIronCage_HostFakeTimeProviderRegisteredBefore_ClockFollowsIt()
    {
        var services = new ServiceCollection();
        var fake = new FakeTimeProvider(Fixed.ToDateTimeOffset());
        services.AddSingleton<TimeProvider>(fake);
        services.AddIronCage();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IClock>().GetCurrentInstant().Should().Be(Fixed);
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(fake);
    }

    [Fact]
    public void AddIronCage_HostNodaFakeClockRegisteredAfter_TimeProviderFollowsIt()
    {
        var services = new ServiceCollection();
        services.AddIronCage();
        var clock = new FakeClock(Fixed);
        services.AddSingleton<IClock>(clock);
        using var provider = services.BuildServiceProvider();

        var time = provider.GetRequiredService<TimeProvider>();
        time.GetUtcNow().Should().Be(Fixed.ToDateTimeOffset());
        clock.AdvanceDays(2);
        time.GetUtcNow().Should().Be((Fixed + Duration.FromDays(2)).ToDateTimeOffset());
        provider.GetRequiredService<IClock>().Should().BeSameAs(clock);
    }

    [Fact]
    public void AddIronCage_HostNodaFakeClockRegisteredBefore_TimeProviderFollowsIt()
    {
        var services = new ServiceCollection();
        var clock = new FakeClock(Fixed);
        services.AddSingleton<IClock>(clock);
        services.AddIronCage();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<TimeProvider>().GetUtcNow().Should().Be(Fixed.ToDateTimeOffset());
        provider.GetRequiredService<IClock>().Should().BeSameAs(clock);
    }

    [Fact]
    public void AddIronCage_HostRegistersBoth_EachIsKeptAsGiven()
    {
        var services = new ServiceCollection();
        services.AddIronCage();
        var clock = new FakeClock(Fixed);
        var fake = new FakeTimeProvider(Fixed.ToDateTimeOffset().AddYears(1));
        services.AddSingleton<IClock>(clock);
        services.AddSingleton<TimeProvider>(fake);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IClock>().Should().BeSameAs(clock);
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(fake);
    }

    [Fact]
    public void AddIronCage_CalledTwice_RegistersOneClockAndOneTimeProvider()
    {
        var services = new ServiceCollection();
        services.AddIronCage();
        services.AddIronCage();

        services.Count(d => d.ServiceType == typeof(IClock)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(TimeProvider)).Should().Be(1);
    }
}
