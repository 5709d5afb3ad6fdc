using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests.Notifications;

/// <summary>A container with rotation events, the given sinks, a fake clock and recorded logs.</summary>
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
        var ironCage = services.AddIronCage().AddRotation();
        configure(ironCage);
        _services = services.BuildServiceProvider();
    }

    public FakeClock Clock { get; }

    public RotationHarness.RecordingLogs Logs { get; } = new();

    public IServiceProvider Services => _services;

    public RotationEventPublisher Publisher => _services.GetRequiredService<RotationEventPublisher>();

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
        Fast(o);
        more?.Invoke(o);
    };

    public void Dispose() => _services.Dispose();
}
