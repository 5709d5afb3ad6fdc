using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Notifications.Tests;

/// <summary>Bad outbox options stop a real host at start, with a message that says what to fix.</summary>
public sealed class NotificationOutboxOptionsValidationTests
{
    public static TheoryData<Action<NotificationOutboxOptions>, string> BadOptions => new()
    {
        { o => o.Capacity = 0, "Capacity is 0" },
        { o => o.Capacity = NotificationOutboxConstants.MaxCapacity + 1, "Capacity" },
        { o => o.FullMode = (NotificationQueueFullMode)7, "FullMode" },
        { o => o.DeliveryTimeout = TimeSpan.Zero, "DeliveryTimeout" },
        { o => o.DeliveryTimeout = TimeSpan.FromHours(2), "DeliveryTimeout" },
        { o => o.MaxRetries = -1, "MaxRetries is -1" },
        { o => o.MaxRetries = 11, "MaxRetries is 11" },
        { o => o.RetryDelay = TimeSpan.FromSeconds(-1), "RetryDelay" },
        { o => o.MaxRetryDelay = TimeSpan.FromMilliseconds(10), "MaxRetryDelay" },
        { o => o.DrainTimeout = TimeSpan.FromMinutes(6), "DrainTimeout" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Start_BadOutboxOptions_Fails(Action<NotificationOutboxOptions> configure, string problem)
    {
        var act = () => StartAsync(b => b.AddNotifications(configure).AddLoggerNotifications());

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("NotificationOutboxOptions").And.Contain(problem);
    }

    [Fact]
    public async Task Start_DefaultOutboxOptions_StartsAndStops()
    {
        var act = () => StartAsync(b => b.AddNotifications().AddLoggerNotifications());

        await act.Should().NotThrowAsync();
    }

    [Fact]
    public void AddNotifications_Twice_AddsOneOutboxAndOneHostedService()
    {
        var services = new ServiceCollection();
        services.AddIronCage().AddNotifications().AddNotifications(o => o.Capacity = 8).AddLoggerNotifications();

        services.Count(d => d.ServiceType == typeof(INotificationPublisher)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(NotificationOutboxService)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IOptions<NotificationOutboxOptions>>().Value.Capacity.Should().Be(8);
    }

    private static async Task StartAsync(Action<IIronCageBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()));
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}
