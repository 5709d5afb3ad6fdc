using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using IronCage.Rotation;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds notification sinks (a log, a signed webhook, Slack) that receive every rotation event.</summary>
public static class NotificationIronCageBuilderExtensions
{
    /// <summary>Adds <see cref="LoggerNotificationSink"/>, which writes every rotation event to the log. Safe to call more than once.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddLoggerNotifications(this IIronCageBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddLogging();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSink, LoggerNotificationSink>());
        AddUsageAlertBridge(builder.Services);
        return builder;
    }

    /// <summary>
    /// Adds <see cref="WebhookNotificationSink"/>, which POSTs every rotation event as signed JSON to
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
        AddHttpSink<WebhookNotificationSink>(services, NotificationConstants.WebhookHttpClientName, "IronCage-Webhook");
        AddUsageAlertBridge(services);
        return builder;
    }

    /// <summary>
    /// Adds <see cref="SlackNotificationSink"/>, which posts every rotation event to a Slack channel through an incoming
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
        AddHttpSink<SlackNotificationSink>(services, NotificationConstants.SlackHttpClientName, "IronCage-Slack");
        AddUsageAlertBridge(services);
        return builder;
    }

    /// <summary>Routes usage alerts (<see cref="IUsageAlertSink"/>) to the notification sinks as <see cref="UsageAlertRaised"/> events.</summary>
    internal static void AddUsageAlertBridge(IServiceCollection services)
    {
        services.TryAddSingleton<RotationEventPublisher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IUsageAlertSink, UsageAlertNotificationBridge>());
    }

    private static void AddHttpSink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink>(IServiceCollection services, string clientName, string userAgent)
        where TSink : class, INotificationSink
    {
        if (services.Any(d => d.ServiceType == typeof(INotificationSink) && d.ImplementationType == typeof(TSink)))
        {
            return;
        }

        services.AddHttpClient(clientName)
            // A redirect could carry a signed delivery to another host: deliveries never follow one.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
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
