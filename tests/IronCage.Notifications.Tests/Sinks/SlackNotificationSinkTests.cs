using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace IronCage.Notifications.Tests;

/// <summary>Slack incoming-webhook messages, asserted on a real Kestrel receiver.</summary>
public sealed class SlackNotificationSinkTests
{
    private const string SlackPath = "/services/T0001/B0002/s3cr3tPathToken";

    [Fact]
    public async Task Send_CriticalEventWithConsole_PostsTextAndSectionsWithMarkerKeyMessageAndLink()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var services = Slack(receiver);
        var failed = NotificationEvents.RevocationFailed();

        await services.Sink<SlackNotificationSink>().SendAsync(failed);

        var request = receiver.Requests.Should().ContainSingle().Subject;
        request.Method.Should().Be("POST");
        request.Path.Should().Be(SlackPath);
        request.Header("Content-Type").Should().Be("application/json; charset=utf-8");
        request.Header("X-IronCage-Signature").Should().BeNull("Slack checks its own URL, not a signature");
        var json = request.Json;
        json.EnumerateObject().Select(p => p.Name).Should().Equal("text", "blocks");
        json.GetProperty("text").GetString().Should().Be(":rotating_light: [IronCage] " + failed.Describe());

        var blocks = json.GetProperty("blocks").EnumerateArray().ToList();
        blocks.Should().HaveCount(4);
        foreach (var section in blocks.Take(3))
        {
            section.GetProperty("type").GetString().Should().Be("section");
            section.GetProperty("text").GetProperty("type").GetString().Should().Be("mrkdwn");
        }

        Text(blocks[0]).Should().Be(":rotating_light: *Critical* · `key.revocation_failed` · *openai/prod*");
        Text(blocks[1]).Should().Be(failed.Describe());
        Text(blocks[2]).Should().Be("<https://platform.openai.com/api-keys|Open the provider console>");
        blocks[3].GetProperty("type").GetString().Should().Be("context");
        var context = blocks[3].GetProperty("elements").EnumerateArray().Should().ContainSingle().Subject;
        context.GetProperty("type").GetString().Should().Be("mrkdwn");
        context.GetProperty("text").GetString().Should().Be("IronCage · 2026-11-01T09:00:00Z · operation `op-1`");
    }

    [Theory]
    [InlineData(RotationReason.Scheduled, ":information_source:", "Info")]
    [InlineData(RotationReason.Compromised, ":warning:", "Warning")]
    public async Task Send_EventWithoutConsole_HasMarkerForItsSeverityAndNoLink(RotationReason reason, string marker, string label)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var services = Slack(receiver);

        await services.Sink<SlackNotificationSink>().SendAsync(NotificationEvents.Started(reason));

        var blocks = receiver.Requests.Single().Json.GetProperty("blocks").EnumerateArray().ToList();
        blocks.Select(b => b.GetProperty("type").GetString()).Should().Equal("section", "section", "context");
        Text(blocks[0]).Should().Be($"{marker} *{label}* · `rotation.started` · *openai/prod*");
        receiver.Requests.Single().Text.Should().NotContain("Open the provider console");
    }

    [Fact]
    public async Task Send_MessageWithSlackControlCharacters_IsEscaped()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var services = Slack(receiver);

        await services.Sink<SlackNotificationSink>().SendAsync(NotificationEvents.Failed("the provider said <!channel> & more"));

        var json = receiver.Requests.Single().Json;
        var message = Text(json.GetProperty("blocks")[1]);
        message.Should().Contain("the provider said &lt;!channel&gt; &amp; more").And.NotContain("<!channel>");
        json.GetProperty("text").GetString().Should().NotContain("<!channel>");
    }

    [Fact]
    public async Task Send_503ThenOk_IsRetriedLikeAWebhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (attempt, context) =>
        {
            context.Response.StatusCode = attempt == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return Task.CompletedTask;
        };
        using var services = Slack(receiver);

        await services.Sink<SlackNotificationSink>().SendAsync(NotificationEvents.Completed());

        receiver.Requests.Select(r => r.Status).Should().Equal(503, 200);
        receiver.Requests[0].Text.Should().Be(receiver.Requests[1].Text);
    }

    [Fact]
    public async Task Send_Failure_NeverLogsTheWebhookUrl()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        };
        using var services = Slack(receiver);

        await services.Publisher.PublishAsync(NotificationEvents.Completed(), CancellationToken.None);

        receiver.Requests.Should().ContainSingle();
        services.Logs.Lines.Should().ContainSingle(l => l.Contains("Notification sink slack could not deliver")).Which.Should().Contain("404");
        services.Logs.Lines.Should().NotContain(l => l.Contains("s3cr3tPathToken"));
    }

    [Fact]
    public void AddSlackNotifications_Twice_AddsOneSink()
    {
        using var services = new NotificationServices(b => b
            .AddSlackNotifications(o => o.Url = new Uri("https://hooks.slack.com/services/T/B/X"))
            .AddSlackNotifications(o => o.MaxRetries = 1));

        services.Sinks.OfType<SlackNotificationSink>().Should().ContainSingle();
    }

    private static NotificationServices Slack(WebhookReceiver receiver) => new(b => b.AddSlackNotifications(o =>
    {
        o.Url = receiver.At(SlackPath);
        o.AllowPrivateNetwork = true;
        o.AllowAnyHost = true;
        NotificationServices.Fast(o);
    }));

    private static string? Text(JsonElement section) => section.GetProperty("text").GetProperty("text").GetString();
}
