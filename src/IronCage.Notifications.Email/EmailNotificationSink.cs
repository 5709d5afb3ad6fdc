using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IronCage.Notifications;

/// <summary>
/// Mails every event (at or above <see cref="EmailNotificationOptions.MinimumSeverity"/>) to
/// <see cref="EmailNotificationOptions.To"/> over SMTP with MailKit: TLS required by default (<c>STARTTLS</c> or
/// implicit TLS), authentication when a user name is set, a subject with the severity, type and key, and a plain-text
/// body with the description, the event's fields and the provider console link.
/// </summary>
/// <remarks>
/// Each delivery connects, authenticates, sends one message and disconnects, with a timeout per attempt and retries
/// with jittered exponential back-off for transient failures (4xx replies, dropped connections, network errors,
/// timeouts). A 5xx reply, refused credentials, a TLS failure or a server without <c>STARTTLS</c> is final and throws
/// <see cref="NotificationDeliveryException"/> saying what to fix. Every attempt of one delivery sends the same
/// <c>Message-Id</c>, so a message a server accepted but did not acknowledge can be recognised as a duplicate. The
/// password and message bodies are never logged.
/// </remarks>
public sealed class EmailNotificationSink : INotificationSink
{
    private readonly EmailNotificationOptions _options;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The options; validated here and at start.</param>
    /// <param name="clock">The clock (for the message's date).</param>
    /// <param name="logger">The logger for retries and deliveries.</param>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public EmailNotificationSink(IOptions<EmailNotificationOptions> options, IClock clock, ILogger<EmailNotificationSink> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        var value = options.Value;
        var validation = new EmailNotificationOptionsValidator().Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(EmailNotificationOptions), validation.Failures);
        }

        _options = value;
        _clock = clock;
        _logger = logger;
        var builder = new ResiliencePipelineBuilder();
        if (value.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = value.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = value.RetryDelay,
                MaxDelay = value.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } exception && IsTransient(exception)),
                OnRetry = args =>
                {
                    var delivery = args.Context.Properties.GetValue(Delivery.Key, null!);
                    Log.NotificationRetrying(_logger, Name, delivery.Event.Type, delivery.Event.Key, delivery.Id, args.AttemptNumber + 1, Outcome(args.Outcome.Exception!), args.RetryDelay);
                    return default;
                },
            });
        }

        builder.AddTimeout(value.Timeout);
        _pipeline = builder.Build();
    }

    /// <inheritdoc />
    public string Name => "email";

    /// <inheritdoc />
    /// <exception cref="NotificationDeliveryException">The event could not be delivered (after retries, where the failure was transient).</exception>
    public async ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        if (notificationEvent.Severity < _options.MinimumSeverity)
        {
            return;
        }

        var deliveryId = Guid.NewGuid().ToString("D");
        using var message = EmailMessage.Create(notificationEvent, deliveryId, _options, _clock.GetCurrentInstant());
        var delivery = new Delivery(this, notificationEvent, deliveryId, message);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Delivery.Key, delivery);
        try
        {
            await _pipeline.ExecuteAsync(static (context, delivery) => delivery.Sink.AttemptAsync(delivery, context.CancellationToken), context, delivery).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not NotificationDeliveryException && (IsTransient(ex) || IsFinal(ex)))
        {
            throw new NotificationDeliveryException($"{Prefix(delivery)}: {Explain(ex, delivery)}", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        Log.NotificationDelivered(_logger, Name, notificationEvent.Type, notificationEvent.Key, deliveryId, delivery.Attempts);
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        SmtpCommandException command => (int)command.StatusCode is >= 400 and < 500,
        SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException or TimeoutRejectedException => true,
        _ => false,
    };

    private static bool IsFinal(Exception exception)
        => exception is SmtpCommandException or AuthenticationException or SslHandshakeException or NotSupportedException or RefusedTargetException;

    private static string Outcome(Exception exception) => exception switch
    {
        SmtpCommandException command => $"SMTP {((int)command.StatusCode).ToString(CultureInfo.InvariantCulture)}",
        TimeoutRejectedException => "timeout",
        _ => exception.GetType().Name,
    };

    private static string Prefix(Delivery delivery)
        => $"The email notification sink could not deliver {delivery.Event.Type} for {delivery.Event.Key} (delivery {delivery.Id})";

    private static string Attempts(Delivery delivery)
        => delivery.Attempts == 1 ? "1 attempt" : $"{delivery.Attempts.ToString(CultureInfo.InvariantCulture)} attempts";

    private async ValueTask AttemptAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        delivery.Attempts++;
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, _options.Timeout.TotalMilliseconds) };
        if (_options.ServerCertificateValidation is { } validate)
        {
            client.ServerCertificateValidationCallback = validate;
        }

        var socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await client.ConnectAsync(socket, _options.Host!, _options.Port, Secure(_options.Security), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (_options.UserName is { } userName)
        {
            await client.AuthenticateAsync(userName, _options.Password ?? string.Empty, cancellationToken).ConfigureAwait(false);
        }

        await client.SendAsync(delivery.Message, cancellationToken).ConfigureAwait(false);
        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves the host and connects to an address it may deliver to (internal ones only with <see cref="EmailNotificationOptions.AllowPrivateNetwork"/>).</summary>
    private async ValueTask<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        var host = _options.Host!;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (!_options.AllowPrivateNetwork)
        {
            var allowed = Array.FindAll(addresses, a => NetworkTarget.WhyRefused(a) is null);
            if (allowed.Length == 0)
            {
                var reason = addresses.Length == 0 ? "no address" : NetworkTarget.WhyRefused(addresses[0]);
                throw new RefusedTargetException($"the SMTP server {host} resolves only to internal addresses ({reason}), and IronCage does not deliver there. If the server really is on a private network, set EmailNotificationOptions.AllowPrivateNetwork = true.");
            }

            addresses = allowed;
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, _options.Port, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static SecureSocketOptions Secure(EmailTransportSecurity security) => security switch
    {
        EmailTransportSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        EmailTransportSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };

    private string Explain(Exception exception, Delivery delivery)
    {
        var server = $"{_options.Host}:{_options.Port.ToString(CultureInfo.InvariantCulture)}";
        return exception switch
        {
            RefusedTargetException refused => refused.Message,
            AuthenticationException => $"the SMTP server {server} refused the user name and password. Check EmailNotificationOptions.UserName and Password (many mail services want an app password or an API key, not the account's password).",
            NotSupportedException when _options.Security == EmailTransportSecurity.StartTls
                => $"the SMTP server {server} does not offer STARTTLS, and IronCage never sends mail or credentials in clear text across the network. Use a server that offers STARTTLS, Security = SslOnConnect (usually port 465), or, for a relay on the loopback address, Security = None.",
            NotSupportedException => $"the SMTP server {server} does not support what the delivery needs ({exception.Message}).",
            SslHandshakeException => $"the TLS handshake with {server} failed. Check the port (465 is SslOnConnect, 587 StartTls) and the server's certificate; for a certificate of an internal authority set EmailNotificationOptions.ServerCertificateValidation.",
            SmtpCommandException command when IsTransient(command)
                => $"the SMTP server {server} kept answering {((int)command.StatusCode).ToString(CultureInfo.InvariantCulture)} ({command.Message}) after {Attempts(delivery)}; the event was not mailed.",
            SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } command
                => $"the SMTP server {server} did not accept the recipient {command.Mailbox} ({((int)command.StatusCode).ToString(CultureInfo.InvariantCulture)}: {command.Message}). Check EmailNotificationOptions.To.",
            SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted } command
                => $"the SMTP server {server} did not accept the sender {command.Mailbox} ({((int)command.StatusCode).ToString(CultureInfo.InvariantCulture)}: {command.Message}). Check EmailNotificationOptions.From: the account must be allowed to send as it.",
            SmtpCommandException command
                => $"the SMTP server {server} rejected the delivery with {((int)command.StatusCode).ToString(CultureInfo.InvariantCulture)} ({command.Message}); such replies are not retried.",
            TimeoutRejectedException => $"the SMTP server {server} did not finish within {_options.Timeout} after {Attempts(delivery)}. Check the host, the port and that the server is up.",
            _ => $"the SMTP server {server} could not be reached after {Attempts(delivery)} ({exception.Message}). Check the host, the port and that the server is up.",
        };
    }

    private sealed class Delivery(EmailNotificationSink sink, NotificationEvent notificationEvent, string id, MimeMessage message)
    {
        public static readonly ResiliencePropertyKey<Delivery> Key = new("IronCage.Notifications.EmailDelivery");

        public EmailNotificationSink Sink { get; } = sink;

        public NotificationEvent Event { get; } = notificationEvent;

        public string Id { get; } = id;

        public MimeMessage Message { get; } = message;

        public int Attempts { get; set; }
    }

    /// <summary>The host resolves only to addresses the sink may not connect to; final.</summary>
    private sealed class RefusedTargetException(string message) : Exception(message);
}
