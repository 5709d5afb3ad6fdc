using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace IronCage.Notifications.Tests;

/// <summary>
/// A real SMTP server (the SmtpServer package) on 127.0.0.1: optional STARTTLS with a self-signed certificate,
/// optional required authentication, scripted replies to the message data, and every accepted message parsed back
/// with MimeKit.
/// </summary>
internal sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly ConcurrentQueue<SmtpResponse> _replies = new();
    private readonly ConcurrentQueue<ReceivedMail> _messages = new();
    private readonly ConcurrentQueue<(string User, string Password)> _logins = new();
    private readonly HashSet<string> _rejectedRecipients = new(StringComparer.OrdinalIgnoreCase);
    private int _sessions;

    private SmtpReceiver(int port, X509Certificate2? certificate, (string User, string Password)? account, bool implicitTls)
    {
        Port = port;
        Certificate = certificate;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(e =>
            {
                e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).IsSecure(implicitTls).AuthenticationRequired(account is not null).AllowUnsecureAuthentication(certificate is null);
                if (certificate is not null)
                {
                    e.Certificate(certificate);
                }
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new DelegatingMailboxFilter((_, to, _) => !_rejectedRecipients.Contains(to.AsAddress())));
        services.Add(new DelegatingUserAuthenticator((user, password) =>
        {
            _logins.Enqueue((user, password));
            return account is not { } expected || (user == expected.User && password == expected.Password);
        }));
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessions);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>Gets the self-signed certificate offered with STARTTLS, if any.</summary>
    public X509Certificate2? Certificate { get; }

    public IReadOnlyList<ReceivedMail> Messages => [.. _messages];

    /// <summary>Gets every AUTH attempt: user name and password as the server received them.</summary>
    public IReadOnlyList<(string User, string Password)> Logins => [.. _logins];

    /// <summary>Gets how many connections were opened.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>
    /// Starts a server; with <paramref name="startTls"/> it offers STARTTLS with a fresh self-signed certificate (and AUTH
    /// only after it); with <paramref name="implicitTls"/> it speaks TLS from the first byte instead.
    /// </summary>
    public static async Task<SmtpReceiver> StartAsync(bool startTls = true, (string User, string Password)? account = null, bool implicitTls = false)
    {
        var receiver = new SmtpReceiver(FreePort(), startTls || implicitTls ? SelfSigned() : null, account, implicitTls);
        await receiver.WaitListeningAsync();
        while (receiver.Sessions == 0)
        {
            await Task.Delay(5); // the probe's session
        }

        Interlocked.Exchange(ref receiver._sessions, 0);
        return receiver;
    }

    /// <summary>Answers the next message data with <paramref name="code"/> instead of accepting it.</summary>
    public void ReplyNext(SmtpReplyCode code, string text) => _replies.Enqueue(new SmtpResponse(code, text));

    public void RejectRecipient(string address) => _rejectedRecipients.Add(address);

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        Certificate?.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private async Task WaitListeningAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(25);
            }
        }

        throw new InvalidOperationException($"The SMTP server did not start listening on 127.0.0.1:{Port}.");
    }

    public sealed record ReceivedMail(MimeMessage Message, string Raw, IReadOnlyList<string> Recipients, bool Secure, bool Authenticated);

    private sealed class Store(SmtpReceiver receiver) : IMessageStore
    {
        public Task<SmtpResponse> SaveAsync(SmtpServer.ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (receiver._replies.TryDequeue(out var scripted))
            {
                return Task.FromResult(scripted);
            }

            var bytes = buffer.ToArray();
            using var stream = new MemoryStream(bytes);
            var message = MimeMessage.Load(stream, cancellationToken);
            var secure = context.Pipe.IsSecure;
            var authenticated = context.Authentication.IsAuthenticated;
            receiver._messages.Enqueue(new ReceivedMail(message, System.Text.Encoding.UTF8.GetString(bytes), [.. transaction.To.Select(t => t.AsAddress())], secure, authenticated));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
