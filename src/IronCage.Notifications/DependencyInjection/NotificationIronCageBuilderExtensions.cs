using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using IronCage.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>
/// Adds the notification outbox and sinks (a log, a signed webhook, Slack) that receive every event IronCage publishes:
/// rotation events, reminders, expiry warnings and usage alerts. Delivery runs in the background.
/// </summary>
public static class NotificationIronCageBuilderExtensions
{
    /// <summary>
    /// Adds the notification outbox (<see cref="INotificationPublisher"/>): each sink gets a bounded queue and a
    /// background delivery loop with a timeout per delivery and retries, started and drained with the host. Every
    /// <c>Add…Notifications</c> call, <c>AddRotation()</c> and <c>AddUsageTracking()</c> add it; call it yourself to
    /// configure it. Safe to call more than once; every <paramref name="configure"/> applies.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the queue capacity, the full-queue policy, timeouts, retries and the drain time.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddNotifications(this IIronCageBuilder builder, Action<NotificationOutboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddLogging();
        services.AddOptions<NotificationOutboxOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NotificationOutboxOptions>, NotificationOutboxOptionsValidator>());
        services.TryAddSingleton<NotificationOutbox>();
        services.TryAddSingleton<INotificationPublisher>(sp => sp.GetRequiredService<NotificationOutbox>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, NotificationOutboxService>());
        return builder;
    }

    /// <summary>Adds a notification sink (a log, a webhook, Slack, your own) that receives every event through the outbox.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddNotificationSink(this IIronCageBuilder builder, INotificationSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.AddNotifications();
        builder.Services.AddSingleton(sink);
        return builder;
    }
    /// <summary>Adds <see cref="LoggerNotificationSink"/>, which writes every event to the log. Safe to call more than once.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddLoggerNotifications(this IIronCageBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNotifications();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSink, LoggerNotificationSink>());
        return builder;
    }

    /// <summary>
    /// Adds <see cref="WebhookNotificationSink"/>, which POSTs every event as signed JSON to
    /// <see cref="HttpNotificationOptions.Url"/>. The options are validated at start: an absolute https URL (http only to
    /// a loopback address) and a secret of at least 16 characters. Safe to call more than once: there is one webhook
    /// sink, and every <paramref name="configure"/> applies to it.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the URL and the signing secret, and optionally the timeout and retries.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddWebhookNotifications(this IIronCageBuilder builder, Action<WebhookNotificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptions<WebhookNotificationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookNotificationOptions>, NotificationOptionsValidator>());
        builder.AddNotifications();
        AddHttpSink<WebhookNotificationSink, WebhookNotificationOptions>(services, NotificationConstants.WebhookHttpClientName, "IronCage-Webhook");
        return builder;
    }

    /// <summary>
    /// Adds <see cref="SlackNotificationSink"/>, which posts every event to a Slack channel through an incoming
    /// webhook. The URL is validated at start. Safe to call more than once: there is one Slack sink, and every
    /// <paramref name="configure"/> applies to it.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the incoming-webhook URL, and optionally the timeout and retries.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddSlackNotifications(this IIronCageBuilder builder, Action<SlackNotificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptions<SlackNotificationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlackNotificationOptions>, NotificationOptionsValidator>());
        builder.AddNotifications();
        AddHttpSink<SlackNotificationSink, SlackNotificationOptions>(services, NotificationConstants.SlackHttpClientName, "IronCage-Slack");
        return builder;
    }

    private static void AddHttpSink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(IServiceCollection services, string clientName, string userAgent)
        where TSink : class, INotificationSink
        where TOptions : HttpNotificationOptions
    {
        if (services.Any(d => d.ServiceType == typeof(INotificationSink) && d.ImplementationType == typeof(TSink)))
        {
            return;
        }

        services.AddHttpClient(clientName)
            // A redirect could carry a signed delivery to another host: deliveries never follow one.
            // The URL was checked at start; each connection checks the addresses its host resolves to (DNS may answer
            // with an internal address later), unless the sink allows its private network.
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<TOptions>>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectCallback = (context, cancellationToken) => NetworkTarget.ConnectAsync(context, options.CurrentValue.AllowPrivateNetwork, cancellationToken),
                };
            })
            // The factory's loggers write the request URL, and a webhook URL (Slack's above all) is a credential.
            .RemoveAllLoggers()
            // The sink's Polly pipeline times each attempt out; HttpClient's own 100 s default must not cut in first.
            .ConfigureHttpClient(client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(new ProductHeaderValue(userAgent)));
            });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSink, TSink>());
    }
}
