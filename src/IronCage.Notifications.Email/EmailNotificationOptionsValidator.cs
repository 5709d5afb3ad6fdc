using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IronCage.Notifications;

/// <summary>Validates <see cref="EmailNotificationOptions"/> at start. Messages name the problem and the fix, never the password.</summary>
internal sealed class EmailNotificationOptionsValidator : IValidateOptions<EmailNotificationOptions>
{
    private const string Type = nameof(EmailNotificationOptions);

    public ValidateOptionsResult Validate(string? name, EmailNotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateServer(options, failures);
        ValidateAddresses(options, failures);
        if (options.UserName is not null && string.IsNullOrEmpty(options.Password))
        {
            failures.Add($"{Type}.UserName is set but Password is not; set both (the mail service's password, app password or API key), or neither to send without authenticating.");
        }
        else if (options.UserName is null && !string.IsNullOrEmpty(options.Password))
        {
            failures.Add($"{Type}.Password is set but UserName is not; set the user name the password belongs to.");
        }
        else if (options.UserName is not null && string.IsNullOrWhiteSpace(options.UserName))
        {
            failures.Add($"{Type}.UserName is empty; set the account's user name, or null to send without authenticating.");
        }

        if (!Enum.IsDefined(options.MinimumSeverity))
        {
            failures.Add($"{Type}.MinimumSeverity is {options.MinimumSeverity}; use Info, Warning or Critical.");
        }

        if (options.SubjectPrefix is null || options.SubjectPrefix.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            failures.Add($"{Type}.SubjectPrefix must be one line (it may be empty).");
        }

        NotificationOptionsValidator.ValidateDelivery(failures, Type, options.Timeout, options.MaxRetries, options.RetryDelay, options.MaxRetryDelay);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateServer(EmailNotificationOptions options, List<string> failures)
    {
        var host = options.Host?.Trim();
        if (string.IsNullOrEmpty(host))
        {
            failures.Add($"{Type}.Host is not set; set it to the SMTP server's host name, for example smtp.example.com.");
            return;
        }

        if (Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            failures.Add($"{Type}.Host '{host}' is not a host name or IP address; set only the host (no scheme, port or path), for example smtp.example.com.");
            return;
        }

        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{Type}.Port is {options.Port.ToString(CultureInfo.InvariantCulture)}; use 587 (STARTTLS), 465 (SslOnConnect) or the port your server listens on.");
        }

        if (!Enum.IsDefined(options.Security))
        {
            failures.Add($"{Type}.Security is {options.Security}; use StartTls, SslOnConnect or None.");
        }
        else if (options.Security == EmailTransportSecurity.None && !IsLoopback(host))
        {
            failures.Add($"{Type}.Security is None for {host}: mail (and any password) would cross the network in clear text. Use StartTls (port 587) or SslOnConnect (port 465); None is allowed only for a server on the loopback address.");
        }

        var target = new UriBuilder("smtp", host.Trim('[', ']')).Uri;
        if (!options.AllowPrivateNetwork && NetworkTarget.WhyRefused(target) is { } refused)
        {
            failures.Add($"{Type}.Host {host} is {refused}; IronCage refuses internal and cloud-metadata targets so that a configuration change cannot aim deliveries at the host's own network. If the SMTP server really runs there (a local relay), set {Type}.AllowPrivateNetwork = true.");
        }
    }

    private static void ValidateAddresses(EmailNotificationOptions options, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(options.From))
        {
            failures.Add($"{Type}.From is not set; set the sender's address, for example \"IronCage <ironcage@example.com>\".");
        }
        else if (!IsMailbox(options.From))
        {
            failures.Add($"{Type}.From '{options.From}' is not one email address; use for example \"IronCage <ironcage@example.com>\".");
        }

        if (options.To.Count == 0)
        {
            failures.Add($"{Type}.To is empty; add at least one recipient address.");
        }

        foreach (var to in options.To)
        {
            if (string.IsNullOrWhiteSpace(to) || !IsMailbox(to))
            {
                failures.Add($"{Type}.To holds '{to}', which is not one email address; list each recipient as its own entry, for example \"oncall@example.com\".");
            }
        }
    }

    private static bool IsMailbox(string value)
        => MailboxAddress.TryParse(ParserOptions.Default, value, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal) && !value.Contains(',', StringComparison.Ordinal) && !value.Contains(';', StringComparison.Ordinal);

    private static bool IsLoopback(string host)
        => string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
