namespace IronCage.Notifications;

/// <summary>How <see cref="EmailNotificationSink"/> protects the SMTP connection.</summary>
public enum EmailTransportSecurity
{
    /// <summary>
    /// Connect in plain text and upgrade with <c>STARTTLS</c> before anything else is sent (the submission port, 587).
    /// A server that does not offer <c>STARTTLS</c> fails the delivery: nothing, and no password, is sent in clear text.
    /// </summary>
    StartTls = 0,

    /// <summary>TLS from the first byte (implicit TLS, the <c>smtps</c> port 465).</summary>
    SslOnConnect = 1,

    /// <summary>
    /// No TLS at all. Allowed only for a loopback server (a local relay such as Postfix on 127.0.0.1:25, or a test
    /// server), where nothing crosses the network.
    /// </summary>
    None = 2,
}
