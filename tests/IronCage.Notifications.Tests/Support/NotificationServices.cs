using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Notifications.Tests;

/// <summary>A container with the notification outbox, the given sinks, a fake clock and recorded logs.</summary>
internal sealed class NotificationServices : IDisposable
{
    public const string Secret = "whsec_test_9f8e7d6c5b4a39281706";

    private readonly ServiceProvider _services;

    public NotificationServices(Action<IIronCageBuilder> configure, FakeClock? clock = null)
    {
        Clock = clock ?? FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<IClock>(Clock);
        var ironCage = services.AddIronCage().AddNotifications();
        configure(ironCage);
        _services = services.BuildServiceProvider();
    }

    public FakeClock Clock { get; }

    public RotationHarness.RecordingLogs Logs { get; } = new();

    public IServiceProvider Services => _services;

    /// <summary>Gets the outbox, so a test can wait until its events were delivered.</summary>
    public NotificationOutbox Outbox => _services.GetRequiredService<NotificationOutbox>();

    /// <summary>Gets a publisher that queues an event in the outbox and waits until every sink has handled it.</summary>
    public DeliveringPublisher Publisher => new(Outbox);

    public IReadOnlyList<INotificationSink> Sinks => [.. _services.GetServices<INotificationSink>()];

    public TSink Sink<TSink>()
        where TSink : INotificationSink => Sinks.OfType<TSink>().Single();

    /// <summary>Retries in milliseconds, so tests stay fast.</summary>
    public static void Fast(HttpNotificationOptions options)
    {
        options.RetryDelay = TimeSpan.FromMilliseconds(5);
        options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        options.Timeout = TimeSpan.FromSeconds(5);
    }

    public static Action<WebhookNotificationOptions> Webhook(Uri url, Action<WebhookNotificationOptions>? more = null) => o =>
    {
        o.Url = url;
        o.Secret = Secret;
        o.AllowPrivateNetwork = true; // the receivers are loopback Kestrel servers
        Fast(o);
        more?.Invoke(o);
    };

    public void Dispose() => _services.Dispose();

    /// <summary>Publishes through the outbox, then waits for the delivery, so tests assert on what the sinks did.</summary>
    internal sealed class DeliveringPublisher(NotificationOutbox outbox)
    {
        public async ValueTask PublishAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken)
        {
            outbox.Publish(notificationEvent);
            await outbox.WhenHandledAsync(cancellationToken);
        }
    }
}
