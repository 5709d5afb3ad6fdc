using System.Security.Cryptography.X509Certificates;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime.Testing;
using SmtpServer.Protocol;

namespace IronCage.Notifications.Tests;

/// <summary>Email notifications over SMTP, asserted on a real SMTP server on 127.0.0.1 (STARTTLS, AUTH, scripted replies).</summary>
public sealed class EmailNotificationSinkTests
{
    private const string User = "ironcage@example.com";
    private const string Password = "smtp-app-password-7f3c9a1e";

    [Fact]
    public async Task Send_OverStartTlsWithAuthentication_MailsSubjectFieldsAndConsoleLinkToEveryRecipient()
    {
        await using var server = await SmtpReceiver.StartAsync(account: (User, Password));
        using var services = Email(server, o => o.To.Add("security@example.com"));
        var failed = NotificationEvents.RevocationFailed();

        await services.Sink<EmailNotificationSink>().SendAsync(failed);

        server.Logins.Should().Equal((User, Password));
        var mail = server.Messages.Should().ContainSingle().Subject;
        mail.Secure.Should().BeTrue("STARTTLS was required and offered, so the message and the password went over TLS");
        mail.Authenticated.Should().BeTrue();
        mail.Recipients.Should().Equal("oncall@example.com", "security@example.com");
        var message = mail.Message;
        message.Subject.Should().Be("[IronCage] Critical: key.revocation_failed for openai/prod");
        message.From.Mailboxes.Should().ContainSingle().Which.Should().Match<MailboxAddress>(m => m.Address == "ironcage@example.com" && m.Name == "IronCage");
        message.Headers["X-IronCage-Event"].Should().Be("key.revocation_failed");
        message.Headers["X-IronCage-Delivery"].Should().MatchRegex("^[0-9a-f-]{36}$");
        message.Headers["Auto-Submitted"].Should().Be("auto-generated");
        message.Priority.Should().Be(MessagePriority.Urgent);
        message.Date.Should().Be(services.Clock.GetCurrentInstant().ToDateTimeOffset());
        message.TextBody.Should().StartWith(failed.Describe())
            .And.Contain("Event      key.revocation_failed")
            .And.Contain("Severity   critical")
            .And.Contain("Key        openai/prod")
            .And.Contain("Occurred   2026-11-01T09:00:00Z")
            .And.Contain("Operation  op-1")
            .And.Contain("Act at     https://platform.openai.com/api-keys")
            .And.Contain("versionId")
            .And.Contain("the provider answered 500.");
        mail.Raw.Should().NotContain(Password);
        services.Logs.Lines.Should().NotContain(l => l.Contains(Password, StringComparison.Ordinal));
        services.Logs.Lines.Should().Contain(l => l.Contains("Notification sink email delivered key.revocation_failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_SslOnConnect_SpeaksTlsFromTheFirstByte()
    {
        await using var server = await SmtpReceiver.StartAsync(account: (User, Password), implicitTls: true);
        using var services = Email(server, o => o.Security = EmailTransportSecurity.SslOnConnect);

        await services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Killed());

        var mail = server.Messages.Should().ContainSingle().Subject;
        mail.Secure.Should().BeTrue();
        mail.Message.Subject.Should().Be("[IronCage] Warning: key.killed for openai/prod");
    }

    [Fact]
    public async Task Send_CertificateNotTrusted_FailsFinalSayingWhatToCheck()
    {
        await using var server = await SmtpReceiver.StartAsync();
        using var services = Email(server, o => o.ServerCertificateValidation = null);

        var send = () => services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Completed()).AsTask();

        (await send.Should().ThrowAsync<NotificationDeliveryException>()).Which.Message
            .Should().Contain("TLS handshake with 127.0.0.1").And.Contain("ServerCertificateValidation");
        server.Sessions.Should().Be(1, "an untrusted certificate is not retried");
        server.Logins.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_StartTlsRequiredButTheServerDoesNotOfferIt_FailsFinalWithoutSendingThePassword()
    {
        await using var server = await SmtpReceiver.StartAsync(startTls: false, account: (User, Password));
        using var services = Email(server);

        var send = () => services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Failed()).AsTask();

        var error = (await send.Should().ThrowAsync<NotificationDeliveryException>()).Which;
        error.Message.Should().Contain("does not offer STARTTLS").And.Contain("SslOnConnect").And.NotContain(Password);
        server.Sessions.Should().Be(1, "a missing STARTTLS is not retried");
        server.Logins.Should().BeEmpty("no credential goes out in clear text");
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_ServerAnswers451ThenAccepts_RetriesAndDeliversOnce()
    {
        await using var server = await SmtpReceiver.StartAsync();
        server.ReplyNext((SmtpReplyCode)451, "Requested action aborted: try again later");
        using var services = Email(server);

        await services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Completed());

        server.Messages.Should().ContainSingle().Which.Message.Subject.Should().Be("[IronCage] Info: rotation.completed for openai/prod");
        server.Sessions.Should().Be(2);
        services.Logs.Lines.Should().Contain(l => l.Contains("attempt 1 to deliver rotation.completed", StringComparison.Ordinal) && l.Contains("SMTP 451", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_ServerKeepsAnswering4xx_GivesUpAfterTheRetriesWithTheReply()
    {
        await using var server = await SmtpReceiver.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            server.ReplyNext(SmtpReplyCode.InsufficientStorage, "Insufficient system storage");
        }

        using var services = Email(server, o => o.MaxRetries = 2);

        var send = () => services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Completed()).AsTask();

        (await send.Should().ThrowAsync<NotificationDeliveryException>()).Which.Message
            .Should().Contain("kept answering 452").And.Contain("after 3 attempts");
        server.Sessions.Should().Be(3);
        server.Messages.Should().BeEmpty();
    }

    [Fact]
    public async Task Send_ServerRejectsTheMessageWith554_IsFinalAndNotRetried()
    {
        await using var server = await SmtpReceiver.StartAsync();
        server.ReplyNext(SmtpReplyCode.TransactionFailed, "Message rejected as spam");
        using var services = Email(server);

        var send = () => services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Completed()).AsTask();

        (await send.Should().ThrowAsync<NotificationDeliveryException>()).Which.Message
            .Should().Contain("rejected the delivery with 554").And.Contain("Message rejected as spam").And.Contain("not retried");
        server.Sessions.Should().Be(1);
    }

    [Fact]
    public async Task Send_RecipientRejected_NamesTheRecipientAndTheOption()
    {
        await using var server = await SmtpReceiver.StartAsync();
        server.RejectRecipient("oncall@example.com");
        using var services = Email(server);

        var send = () => services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Completed()).AsTask();

        (await send.Should().ThrowAsync<NotificationDeliveryException>()).Which.Message
            .Should().Contain("did not accept the recipient").And.Contain("oncall@example.com").And.Contain("EmailNotificationOptions.To");
        server.Sessions.Should().Be(1);
    }

    [Fact]
    public async Task Send_WrongPassword_IsFinalAndTheMessageNeverContainsThePassword()
    {
        await using var server = await SmtpReceiver.StartAsync(account: (User, "the-right-one"));
        using var services = Email(server);

        var send = () => services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Completed()).AsTask();

        var error = (await send.Should().ThrowAsync<NotificationDeliveryException>()).Which;
        error.Message.Should().Contain("refused the user name and password").And.Contain("app password").And.NotContain(Password);
        error.ToString().Should().NotContain(Password);
        server.Sessions.Should().Be(1, "refused credentials are not retried");
        server.Logins.Should().OnlyContain(l => l.User == User, "MailKit tries each SASL mechanism the server offers, once");
        services.Logs.Lines.Should().NotContain(l => l.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_ServerDown_RetriesThenSaysItCouldNotBeReached()
    {
        int port;
        await using (var stopped = await SmtpReceiver.StartAsync())
        {
            port = stopped.Port;
        }

        using var services = Email(host: "127.0.0.1", port: port, configure: o => o.MaxRetries = 1);

        var send = () => services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Completed()).AsTask();

        (await send.Should().ThrowAsync<NotificationDeliveryException>()).Which.Message
            .Should().Contain($"127.0.0.1:{port} could not be reached after 2 attempts").And.Contain("Check the host, the port");
    }

    [Fact]
    public async Task Send_BelowMinimumSeverity_IsNotMailed()
    {
        await using var server = await SmtpReceiver.StartAsync();
        using var services = Email(server, o => o.MinimumSeverity = EventSeverity.Warning);
        var sink = services.Sink<EmailNotificationSink>();

        await sink.SendAsync(NotificationEvents.Completed());
        await sink.SendAsync(NotificationEvents.Started(RotationReason.Compromised));

        server.Messages.Should().ContainSingle().Which.Message.Subject.Should().Be("[IronCage] Warning: rotation.started for openai/prod");
    }

    [Fact]
    public async Task Send_PlainSmtpToALoopbackRelay_IsAllowedWithSecurityNone()
    {
        await using var server = await SmtpReceiver.StartAsync(startTls: false);
        using var services = Email(server, o =>
        {
            o.Security = EmailTransportSecurity.None;
            o.UserName = null;
            o.Password = null;
            o.SubjectPrefix = string.Empty;
        });

        await services.Sink<EmailNotificationSink>().SendAsync(NotificationEvents.Overdue());

        var mail = server.Messages.Should().ContainSingle().Subject;
        mail.Secure.Should().BeFalse();
        mail.Message.Subject.Should().Be("Warning: rotation.overdue for openai/prod");
    }

    [Fact]
    public async Task RotateCompromised_WithEmailNotifications_EveryEventIsMailedInOrderAndNoKeyIsInAnyMessage()
    {
        await using var server = await SmtpReceiver.StartAsync(account: (User, Password));
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), clock, extend: b => b.AddEmailNotifications(Configure(server.Port, server.Certificate)));
        var (registered, secret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);
        await harness.Services.GetRequiredService<NotificationOutbox>().WhenHandledAsync();

        operation.Step.Should().Be(RotationStep.Completed);
        server.Messages.Select(m => m.Message.Headers["X-IronCage-Event"]).Should().Equal(harness.Shared.Events.All.Select(e => e.Type));
        server.Messages.Select(m => m.Message.Headers["X-IronCage-Event"]).Should().ContainInOrder("rotation.started", "key.revoked", "rotation.completed");
        server.Messages.Should().OnlyContain(m => (m.Message.TextBody ?? string.Empty).Contains(registered.Reference.ToString(), StringComparison.Ordinal));
        var current = (await harness.Keys.GetAsync(registered.Reference)).CurrentVersion!;
        using var fresh = await harness.OpenAsync(current, registered.Reference);
        var old = secret.Reveal();
        var rotated = fresh.Reveal();
        server.Messages.Should().NotBeEmpty().And.OnlyContain(m => !m.Raw.Contains(old, StringComparison.Ordinal) && !m.Raw.Contains(rotated, StringComparison.Ordinal));
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public void AddEmailNotifications_InvalidOptions_FailAtStartWithEveryProblemAndNoPassword()
    {
        var services = new ServiceCollection();
        services.AddIronCage().AddEmailNotifications(o =>
        {
            o.Host = "smtp.example.com";
            o.Port = 25;
            o.Security = EmailTransportSecurity.None;
            o.UserName = "me";
            o.Password = Password;
            o.From = "not an address";
            o.To.Add("a@example.com, b@example.com");
        });
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<EmailNotificationOptions>>().Value;

        var error = resolve.Should().Throw<OptionsValidationException>().Which;
        error.Failures.Should().HaveCount(3);
        error.Message.Should().Contain("Security is None for smtp.example.com").And.Contain("clear text")
            .And.Contain("From 'not an address' is not one email address")
            .And.Contain("list each recipient as its own entry")
            .And.NotContain(Password);
    }

    [Theory]
    [InlineData(null, "Host is not set")]
    [InlineData("smtp://smtp.example.com", "is not a host name or IP address")]
    [InlineData("10.0.0.5", "private (10.0.0.0/8) address")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("metadata.google.internal", "cloud metadata host")]
    [InlineData("localhost", "loopback name")]
    public void Validate_RefusesAMissingMalformedOrInternalHost(string? host, string expected)
    {
        var options = Valid();
        options.Host = host;

        var result = new EmailNotificationOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain(expected);
    }

    [Fact]
    public void Validate_InternalHostWithAllowPrivateNetwork_AndTheDefaults_Pass()
    {
        var options = Valid();
        options.Host = "10.0.0.5";
        options.AllowPrivateNetwork = true;

        new EmailNotificationOptionsValidator().Validate(null, options).Succeeded.Should().BeTrue();
        new EmailNotificationOptionsValidator().Validate(null, Valid()).Succeeded.Should().BeTrue();
        Valid().Security.Should().Be(EmailTransportSecurity.StartTls);
        Valid().Port.Should().Be(587);
    }

    [Fact]
    public void Validate_CredentialsAndRecipients_MustBeComplete()
    {
        var noPassword = Valid();
        noPassword.UserName = "me";
        var noRecipients = Valid();
        noRecipients.To.Clear();
        var badPort = Valid();
        badPort.Port = 0;

        var validator = new EmailNotificationOptionsValidator();

        validator.Validate(null, noPassword).FailureMessage!.Should().Contain("UserName is set but Password is not");
        validator.Validate(null, noRecipients).FailureMessage!.Should().Contain("To is empty");
        validator.Validate(null, badPort).FailureMessage!.Should().Contain("Port is 0");
    }

    private static EmailNotificationOptions Valid()
    {
        var options = new EmailNotificationOptions { Host = "smtp.example.com", From = "ironcage@example.com" };
        options.To.Add("oncall@example.com");
        return options;
    }

    private static NotificationServices Email(SmtpReceiver server, Action<EmailNotificationOptions>? configure = null)
        => new(b => b.AddEmailNotifications(o =>
        {
            Configure(server.Port, server.Certificate)(o);
            configure?.Invoke(o);
        }));

    private static NotificationServices Email(string host, int port, Action<EmailNotificationOptions>? configure = null)
        => new(b => b.AddEmailNotifications(o =>
        {
            Configure(port, null)(o);
            o.Host = host;
            configure?.Invoke(o);
        }));

    private static Action<EmailNotificationOptions> Configure(int port, X509Certificate2? certificate) => o =>
    {
        o.Host = "127.0.0.1";
        o.Port = port;
        o.AllowPrivateNetwork = true; // the server is on loopback
        o.UserName = User;
        o.Password = Password;
        o.From = "IronCage <ironcage@example.com>";
        o.To.Add("oncall@example.com");
        o.RetryDelay = TimeSpan.FromMilliseconds(5);
        o.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
        o.Timeout = TimeSpan.FromSeconds(5);

        // Trust exactly the test server's self-signed certificate, nothing else.
        o.ServerCertificateValidation = (_, presented, _, _) => certificate is not null && presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
    };
}
