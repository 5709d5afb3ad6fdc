using System.Net.Security;

namespace IronCage.Notifications;

/// <summary>Configures <see cref="EmailNotificationSink"/>: the SMTP server, the sender and recipients, and which events to mail.</summary>
/// <remarks>
/// One delivery opens a connection, authenticates when <see cref="UserName"/> is set, sends one message to every
/// address in <see cref="To"/> and disconnects. It takes at most (<see cref="MaxRetries"/> + 1) × <see cref="Timeout"/>
/// plus the delays between attempts, and it must fit in <see cref="NotificationOutboxOptions.DeliveryTimeout"/>.
/// <see cref="Password"/> is a credential: IronCage never logs it or puts it in an exception message.
/// </remarks>
public sealed class EmailNotificationOptions
{
    /// <summary>Gets or sets the SMTP server's host name or address, for example <c>smtp.example.com</c>.</summary>
    /// <value>The default value is <see langword="null"/>, which fails validation at start.</value>
    public string? Host { get; set; }

    /// <summary>Gets or sets the SMTP server's port.</summary>
    /// <value>The default value is 587 (<see cref="EmailNotificationConstants.DefaultPort"/>), the submission port used with <see cref="EmailTransportSecurity.StartTls"/>; use 465 with <see cref="EmailTransportSecurity.SslOnConnect"/>.</value>
    public int Port { get; set; } = EmailNotificationConstants.DefaultPort;

    /// <summary>Gets or sets how the connection is protected.</summary>
    /// <value>The default value is <see cref="EmailTransportSecurity.StartTls"/>: required, never silently skipped.</value>
    public EmailTransportSecurity Security { get; set; } = EmailTransportSecurity.StartTls;

    /// <summary>Gets or sets the user name to authenticate with; <see langword="null"/> sends without authenticating (a relay that trusts the host).</summary>
    /// <value>The default value is <see langword="null"/>. Set it together with <see cref="Password"/>.</value>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the password (or app password, or API key of the mail service) for <see cref="UserName"/>. Keep it with the host's secrets.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Password { get; set; }

    /// <summary>Gets or sets the sender: an address, optionally with a display name (<c>IronCage &lt;ironcage@example.com&gt;</c>).</summary>
    /// <value>The default value is <see langword="null"/>, which fails validation at start.</value>
    public string? From { get; set; }

    /// <summary>Gets the recipients (addresses, optionally with display names); at least one.</summary>
    public IList<string> To { get; } = new List<string>();

    /// <summary>Gets or sets the text every subject starts with, so mail rules can sort IronCage's messages.</summary>
    /// <value>The default value is <c>[IronCage]</c>. Set it empty for none.</value>
    public string SubjectPrefix { get; set; } = EmailNotificationConstants.DefaultSubjectPrefix;

    /// <summary>Gets or sets the least severe event that is mailed; less severe ones are skipped (they still reach the other sinks).</summary>
    /// <value>The default value is <see cref="EventSeverity.Info"/>: every event. <see cref="EventSeverity.Warning"/> mails only what someone should look at.</value>
    public EventSeverity MinimumSeverity { get; set; } = EventSeverity.Info;

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="Host"/> may be on the host's own network: loopback, private
    /// ranges, link-local and metadata addresses and private-use names (see
    /// <see cref="HttpNotificationOptions.AllowPrivateNetwork"/> for the list). Without it such a host fails validation
    /// at start, and a name that resolves only to such addresses is not connected to.
    /// </summary>
    /// <value>The default value is <see langword="false"/>. Set it for a relay inside your network (Postfix on 127.0.0.1, an internal smarthost).</value>
    public bool AllowPrivateNetwork { get; set; }

    /// <summary>
    /// Gets or sets a check of the server's TLS certificate that replaces the system's validation, for a relay with a
    /// certificate of an internal authority. Leave it <see langword="null"/> for the system's validation (the usual and
    /// safe choice).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public RemoteCertificateValidationCallback? ServerCertificateValidation { get; set; }

    /// <summary>Gets or sets the timeout of one attempt (connect, authenticate, send, disconnect).</summary>
    /// <value>The default value is 10 seconds (<see cref="NotificationConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = NotificationConstants.DefaultTimeout;

    /// <summary>
    /// Gets or sets how many times a delivery is retried after a transient failure: a 4xx SMTP reply (421 service not
    /// available, 450/451 try again later, 452 insufficient storage), a dropped connection, a network error or a
    /// timeout. 5xx replies, refused credentials and TLS failures are final. 0 turns retries off.
    /// </summary>
    /// <value>The default value is 3 (<see cref="NotificationConstants.DefaultMaxRetries"/>).</value>
    public int MaxRetries { get; set; } = NotificationConstants.DefaultMaxRetries;

    /// <summary>Gets or sets the base delay before the first retry; it doubles with each retry, with jitter, up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default value is 1 second (<see cref="NotificationConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = NotificationConstants.DefaultRetryDelay;

    /// <summary>Gets or sets the longest delay between two attempts.</summary>
    /// <value>The default value is 30 seconds (<see cref="NotificationConstants.DefaultMaxRetryDelay"/>).</value>
    public TimeSpan MaxRetryDelay { get; set; } = NotificationConstants.DefaultMaxRetryDelay;
}
