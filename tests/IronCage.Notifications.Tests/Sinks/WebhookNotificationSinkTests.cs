using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using NodaTime;

namespace IronCage.Notifications.Tests;

/// <summary>Webhook deliveries to a real Kestrel receiver that verifies them as a real receiver would.</summary>
public sealed class WebhookNotificationSinkTests
{
    private const string Secret = NotificationServices.Secret;

    [Fact]
    public async Task Send_Delivery_CarriesHeadersAndPayloadThatTheReceiverVerifies()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;
        var overdue = NotificationEvents.Overdue(reminders: 3);

        await services.Sink<WebhookNotificationSink>().SendAsync(overdue);

        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.SignatureValid.Should().BeTrue();
        request.Status.Should().Be(200);
        request.Method.Should().Be("POST");
        request.Path.Should().Be("/hooks/ironcage");
        request.Header("Content-Type").Should().Be("application/json; charset=utf-8");
        request.Header("User-Agent").Should().Be("IronCage-Webhook");
        request.Header("X-IronCage-Event").Should().Be("rotation.overdue");
        var deliveryId = request.Header("X-IronCage-Delivery");
        Guid.TryParse(deliveryId, out _).Should().BeTrue();
        var timestamp = services.Clock.GetCurrentInstant().ToUnixTimeSeconds();
        request.Header("X-IronCage-Timestamp").Should().Be(timestamp.ToString());
        request.Header("X-IronCage-Signature").Should().MatchRegex("^sha256=[0-9a-f]{64}$")
            .And.Be(WebhookSignature.Compute(Secret, timestamp, request.Body));

        var json = request.Json;
        json.GetProperty("id").GetString().Should().Be(deliveryId);
        json.GetProperty("type").GetString().Should().Be("rotation.overdue");
        json.GetProperty("severity").GetString().Should().Be("critical");
        json.GetProperty("key").GetString().Should().Be("openai/prod");
        json.GetProperty("operationId").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("occurredAt").GetString().Should().Be("2026-11-01T09:00:00Z");
        json.GetProperty("message").GetString().Should().Be(overdue.Describe());
        json.GetProperty("dueAt").GetString().Should().Be("2026-10-30T09:00:00Z");
        json.GetProperty("reminderCount").GetInt32().Should().Be(3);
        json.GetProperty("consoleUrl").GetString().Should().Be("https://platform.openai.com/api-keys");
        request.Text.Should().NotContain(Secret);
    }

    public static TheoryData<RotationEvent, string, string> OwnFields => new()
    {
        { NotificationEvents.Started(), "rotation.started", """{"reason":"compromised","tier":"slot_alternating"}""" },
        { NotificationEvents.Completed(), "rotation.completed", """{"versionId":"v2","displayHint":"sk-…abcd"}""" },
        { NotificationEvents.Failed(), "rotation.failed", """{"step":"stored_pending","reason":"the provider refused the new key"}""" },
        { NotificationEvents.Revoked(), "key.revoked", """{"versionId":"v1","succeeded":true,"error":null,"consoleUrl":"https://platform.openai.com/api-keys"}""" },
        { NotificationEvents.RevocationFailed(), "key.revocation_failed", """{"versionId":"v1","succeeded":false,"error":"the provider answered 500.","consoleUrl":"https://platform.openai.com/api-keys"}""" },
        { NotificationEvents.Expiring(), "key.expiring_soon", """{"versionId":"v1","expiresAt":"2026-11-08T09:00:00Z"}""" },
        { NotificationEvents.Killed(), "key.killed", """{"versionId":"v1"}""" },
    };

    [Theory]
    [MemberData(nameof(OwnFields))]
    public async Task Send_EachEventType_WritesItsOwnFields(RotationEvent rotationEvent, string type, string ownFields)
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;

        await services.Sink<WebhookNotificationSink>().SendAsync(rotationEvent);

        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.SignatureValid.Should().BeTrue();
        request.Header("X-IronCage-Event").Should().Be(type);
        var json = request.Json;
        json.GetProperty("type").GetString().Should().Be(type);
        json.GetProperty("message").GetString().Should().Be(rotationEvent.Describe());
        foreach (var field in JsonDocument.Parse(ownFields).RootElement.EnumerateObject())
        {
            JsonElement.DeepEquals(json.GetProperty(field.Name), field.Value).Should().BeTrue($"{field.Name} is {field.Value.GetRawText()} in {request.Text}");
        }
    }

    [Fact]
    public async Task Send_EveryDelivery_HasItsOwnId()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;
        var sink = services.Sink<WebhookNotificationSink>();

        await sink.SendAsync(NotificationEvents.Completed());
        await sink.SendAsync(NotificationEvents.Completed());

        receiver.Requests.Select(r => r.Header("X-IronCage-Delivery")).Should().OnlyHaveUniqueItems().And.HaveCount(2);
    }

    [Fact]
    public async Task Receiver_TamperedReplays_AreRejected()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;
        await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());
        var original = receiver.Requests.Single();
        var timestamp = original.Header("X-IronCage-Timestamp")!;
        var signature = original.Header("X-IronCage-Signature")!;
        using var client = new HttpClient();

        async Task<HttpStatusCode> PostAsync(string body, string timestamp, string signature)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("X-IronCage-Timestamp", timestamp);
            request.Headers.Add("X-IronCage-Signature", signature);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        (await PostAsync(original.Text, timestamp, signature)).Should().Be(HttpStatusCode.OK, "the untouched delivery verifies");
        (await PostAsync(original.Text.Replace("v2", "v9"), timestamp, signature)).Should().Be(HttpStatusCode.Unauthorized, "the body was changed");
        (await PostAsync(original.Text, (long.Parse(timestamp) + 1).ToString(), signature)).Should().Be(HttpStatusCode.Unauthorized, "the timestamp was changed");
        (await PostAsync(original.Text, timestamp, WebhookSignature.Compute("not-the-shared-secret!", long.Parse(timestamp), original.Body))).Should().Be(HttpStatusCode.Unauthorized, "signed with another secret");
        (await PostAsync(original.Text, timestamp, string.Empty)).Should().Be(HttpStatusCode.Unauthorized, "unsigned");
    }

    [Fact]
    public async Task Send_ReceiverWithAnotherSecret_RejectsOnceAndIsNotRetried()
    {
        await using var receiver = await WebhookReceiver.StartAsync("the-receiver-has-another-secret");
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;

        var act = async () => await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("401").And.Contain("same secret").And.NotContain(Secret);
        receiver.Requests.Should().ContainSingle().Which.SignatureValid.Should().BeFalse();
    }

    [Theory]
    [InlineData(6)]
    [InlineData(-6)]
    public async Task Send_ReceiverClockMinutesAway_RejectsTheStaleTimestamp(int receiverClockOffsetMinutes)
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = () => services.Clock.GetCurrentInstant() + Duration.FromMinutes(receiverClockOffsetMinutes);

        var act = async () => await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*401*");
        receiver.Requests.Should().ContainSingle().Which.Status.Should().Be(401);
    }

    [Fact]
    public async Task Send_503TwiceThen200_IsDeliveredOnTheThirdAttempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = (attempt, context) =>
        {
            context.Response.StatusCode = attempt <= 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return Task.CompletedTask;
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;

        await services.Publisher.PublishAsync(NotificationEvents.Completed(), CancellationToken.None);

        receiver.Requests.Should().HaveCount(3);
        receiver.Requests.Select(r => r.Status).Should().Equal(503, 503, 200);
        receiver.Requests.Should().OnlyContain(r => r.SignatureValid == true, "every attempt is signed");
        receiver.Requests.Select(r => r.Header("X-IronCage-Delivery")).Distinct().Should().ContainSingle("a retry is the same delivery");
        services.Logs.Lines.Where(l => l.Contains("retrying in")).Should().HaveCount(2);
        services.Logs.Lines.Should().NotContain(l => l.Contains("could not deliver"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(408)]
    [InlineData(429)]
    public async Task Send_TransientStatusEveryTime_RetriesMaxRetriesThenThrows(int status)
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url, o => o.MaxRetries = 2)));
        receiver.Now = services.Clock.GetCurrentInstant;

        var act = async () => await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        await act.Should().ThrowAsync<IronCageException>().WithMessage($"*answered {status}*after 3 attempts*");
        receiver.Requests.Should().HaveCount(3);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(422)]
    public async Task Send_ClientError_OneAttemptAndThePublisherLogsWithoutThrowing(int status)
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;

        var act = async () => await services.Publisher.PublishAsync(NotificationEvents.Completed(), CancellationToken.None);

        await act.Should().NotThrowAsync();
        receiver.Requests.Should().ContainSingle().Which.Status.Should().Be(status);
        services.Logs.Lines.Should().ContainSingle(l => l.Contains("Notification sink webhook could not deliver rotation.completed for openai/prod"))
            .Which.Should().Contain($"answered {status}").And.Contain("after 1 attempt");
        services.Logs.Lines.Should().NotContain(l => l.Contains("retrying in"));
    }

    [Fact]
    public async Task Send_429WithRetryAfter_WaitsAsLongAsAsked()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = (attempt, context) =>
        {
            if (attempt == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "1";
            }

            return Task.CompletedTask;
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url, o => o.MaxRetryDelay = TimeSpan.FromSeconds(5))));
        receiver.Now = services.Clock.GetCurrentInstant;

        await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        var requests = receiver.Requests;
        requests.Select(r => r.Status).Should().Equal(429, 200);
        (requests[1].ReceivedAt - requests[0].ReceivedAt).Should().BeGreaterThan(TimeSpan.FromMilliseconds(900), "Retry-After: 1 is honoured, not the 5 ms back-off");
    }

    [Fact]
    public async Task Send_RetryAfterLongerThanMaxRetryDelay_GivesUpWithoutRetrying()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "3600";
            return Task.CompletedTask;
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;

        var act = async () => await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*retry after 01:00:00*MaxRetryDelay*");
        receiver.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_Redirect_IsNeverFollowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = receiver.At("/elsewhere").ToString();
            return Task.CompletedTask;
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        receiver.Now = services.Clock.GetCurrentInstant;

        var act = async () => await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*307*Redirects are never followed*");
        receiver.Requests.Should().ContainSingle().Which.Path.Should().Be("/hooks/ironcage");
    }

    [Fact]
    public async Task Send_SlowReceiver_TimesOutAndRetries()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = async (attempt, context) =>
        {
            if (attempt == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url, o => o.Timeout = TimeSpan.FromMilliseconds(300))));
        receiver.Now = services.Clock.GetCurrentInstant;

        await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        services.Logs.Lines.Should().ContainSingle(l => l.Contains("retrying in")).Which.Should().Contain("TimeoutRejectedException");
        (await receiver.WaitForRequestsAsync(2)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Send_ReceiverDown_RetriesNetworkErrorsThenThrows()
    {
        Uri url;
        await using (var gone = await WebhookReceiver.StartAsync(Secret))
        {
            url = gone.Url;
        }

        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(url, o => o.MaxRetries = 2)));

        var act = async () => await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Completed());

        var thrown = await act.Should().ThrowAsync<IronCageException>().WithMessage("*could not be reached after 3 attempts*");
        thrown.Which.InnerException.Should().BeOfType<HttpRequestException>();
        services.Logs.Lines.Where(l => l.Contains("retrying in") && l.Contains("HttpRequestException")).Should().HaveCount(2);
    }

    [Fact]
    public async Task Logs_NeverContainTheSigningSecret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Respond = (attempt, context) =>
        {
            context.Response.StatusCode = attempt switch { 1 => 503, 2 => 200, _ => 400 };
            return Task.CompletedTask;
        };
        using var services = new NotificationServices(b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)).AddLoggerNotifications());
        receiver.Now = services.Clock.GetCurrentInstant;

        await services.Publisher.PublishAsync(NotificationEvents.Completed(), CancellationToken.None);
        await services.Publisher.PublishAsync(NotificationEvents.RevocationFailed(), CancellationToken.None);
        var act = async () => await services.Sink<WebhookNotificationSink>().SendAsync(NotificationEvents.Started());

        var thrown = await act.Should().ThrowAsync<IronCageException>();
        thrown.Which.ToString().Should().NotContain(Secret);
        receiver.Requests.Should().HaveCount(4);
        services.Logs.Lines.Should().Contain(l => l.Contains("retrying in"), "the retry was logged")
            .And.Contain(l => l.Contains("could not deliver"), "the failure was logged")
            .And.NotContain(l => l.Contains(Secret, StringComparison.Ordinal))
            .And.NotContain(l => l.Contains("X-IronCage-Signature", StringComparison.OrdinalIgnoreCase));
        services.Sink<WebhookNotificationSink>().ToString().Should().NotContain(Secret);
    }

    [Fact]
    public void AddWebhookNotifications_Twice_AddsOneSinkAndAppliesEveryConfiguration()
    {
        using var services = new NotificationServices(b => b
            .AddWebhookNotifications(o => o.Url = new Uri("https://hooks.example.com/ironcage"))
            .AddWebhookNotifications(o => o.Secret = Secret));

        services.Sinks.OfType<WebhookNotificationSink>().Should().ContainSingle();
    }
}
