using IronCage.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Adds the email sink (<see cref="EmailNotificationSink"/>) to IronCage's notification outbox.</summary>
public static class EmailNotificationIronCageBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="EmailNotificationSink"/>, which mails every event (at or above
    /// <see cref="EmailNotificationOptions.MinimumSeverity"/>) over SMTP, TLS required by default, through the
    /// notification outbox (added too). The options are validated at start: the host (no internal address unless
    /// <see cref="EmailNotificationOptions.AllowPrivateNetwork"/>), the port, the sender and at least one recipient,
    /// credentials given in pairs, and no plain SMTP except to a loopback server. Safe to call more than once: there is
    /// one email sink, and every <paramref name="configure"/> applies to it.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the server, the sender and recipients, and optionally credentials, severity, timeout and retries.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddEmailNotifications(this IIronCageBuilder builder, Action<EmailNotificationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptions<EmailNotificationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmailNotificationOptions>, EmailNotificationOptionsValidator>());
        builder.AddNotifications();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<INotificationSink, EmailNotificationSink>());
        return builder;
    }
}
