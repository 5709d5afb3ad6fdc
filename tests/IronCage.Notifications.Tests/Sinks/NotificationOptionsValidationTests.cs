using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Notifications.Tests;

/// <summary>Bad notification options stop a real host at start, with a message that says what to fix.</summary>
public sealed class NotificationOptionsValidationTests
{
    private const string Secret = NotificationServices.Secret;

    [Theory]
    [InlineData("/hooks/ironcage", "relative URL")]
    [InlineData("http://hooks.example.com/ironcage", "hooks.example.com over plain http")]
    [InlineData("http://10.0.0.8/ironcage", "10.0.0.8 over plain http")]
    [InlineData("ftp://hooks.example.com/ironcage", "scheme 'ftp'")]
    [InlineData("https://user:pass@hooks.example.com/ironcage", "user credentials")]
    [InlineData(null, "Url is not set")]
    public async Task Start_WebhookWithBadUrl_Fails(string? url, string problem)
    {
        var act = () => StartAsync(b => b.AddWebhookNotifications(o =>
        {
            o.Url = url is null ? null : new Uri(url, UriKind.RelativeOrAbsolute);
            o.Secret = Secret;
        }));

        var thrown = await act.Should().ThrowAsync<OptionsValidationException>();
        thrown.Which.Message.Should().Contain("WebhookNotificationOptions.Url").And.Contain(problem).And.NotContain("/ironcage").And.NotContain("pass");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("                    ")]
    [InlineData("fifteen-chars!!")]
    public async Task Start_WebhookWithShortSecret_FailsWithoutEchoingIt(string? secret)
    {
        var act = () => StartAsync(b => b.AddWebhookNotifications(o =>
        {
            o.Url = new Uri("https://hooks.example.com/ironcage");
            o.Secret = secret;
        }));

        var thrown = await act.Should().ThrowAsync<OptionsValidationException>();
        thrown.Which.Message.Should().Contain("WebhookNotificationOptions.Secret must be at least 16 characters");
        if (!string.IsNullOrWhiteSpace(secret))
        {
            thrown.Which.Message.Should().NotContain(secret);
        }
    }

    [Theory]
    [InlineData("/services/T/B/X", "relative URL")]
    [InlineData("http://hooks.slack.com/services/T/B/X", "hooks.slack.com over plain http")]
    public async Task Start_SlackWithBadUrl_Fails(string url, string problem)
    {
        var act = () => StartAsync(b => b.AddSlackNotifications(o => o.Url = new Uri(url, UriKind.RelativeOrAbsolute)));

        var thrown = await act.Should().ThrowAsync<OptionsValidationException>();
        thrown.Which.Message.Should().Contain("SlackNotificationOptions.Url").And.Contain(problem).And.NotContain("/services/T/B/X");
    }

    [Theory]
    [InlineData(-1, 1000, 30_000, "MaxRetries")]
    [InlineData(11, 1000, 30_000, "MaxRetries")]
    [InlineData(3, 1000, 0, "RetryDelay")]
    [InlineData(3, -1, 30_000, "RetryDelay")]
    public async Task Start_WebhookWithBadRetries_Fails(int retries, int delayMs, int maxDelayMs, string property)
    {
        var act = () => StartAsync(b => b.AddWebhookNotifications(o =>
        {
            o.Url = new Uri("https://hooks.example.com/ironcage");
            o.Secret = Secret;
            o.MaxRetries = retries;
            o.RetryDelay = TimeSpan.FromMilliseconds(delayMs);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(maxDelayMs);
        }));

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(property);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(301_000)]
    public async Task Start_WebhookWithBadTimeout_Fails(int timeoutMs)
    {
        var act = () => StartAsync(b => b.AddWebhookNotifications(o =>
        {
            o.Url = new Uri("https://hooks.example.com/ironcage");
            o.Secret = Secret;
            o.Timeout = TimeSpan.FromMilliseconds(timeoutMs);
        }));

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("Timeout");
    }

    [Theory]
    [InlineData("https://hooks.example.com/ironcage")]
    [InlineData("http://127.0.0.1:8080/ironcage")]
    [InlineData("http://localhost/ironcage")]
    [InlineData("http://[::1]:8080/ironcage")]
    public async Task Start_ValidOptions_Starts(string url)
    {
        // Loopback receivers (tests, sidecars) opt in per sink; the Slack sink also to a host other than Slack's.
        var act = () => StartAsync(b => b
            .AddWebhookNotifications(o =>
            {
                o.Url = new Uri(url);
                o.Secret = Secret;
                o.AllowPrivateNetwork = true;
            })
            .AddSlackNotifications(o =>
            {
                o.Url = new Uri(url);
                o.AllowPrivateNetwork = true;
                o.AllowAnyHost = true;
            })
            .AddLoggerNotifications());

        await act.Should().NotThrowAsync();
    }

    private static async Task StartAsync(Action<IIronCageBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddRotation());
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}
