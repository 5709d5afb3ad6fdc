using System.Net;
using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Notifications.Tests;

/// <summary>
/// No server-side request forgery through configuration: notification URLs aimed at the host's own network (cloud
/// metadata, private ranges, loopback, encoded addresses) are refused at start unless that sink opts in, Slack URLs
/// must be Slack's, and a host name that resolves to such an address is not connected to at send time.
/// </summary>
public sealed class NotificationTargetTests
{
    private const string Secret = NotificationServices.Secret;

    public static TheoryData<string, string> InternalTargets { get; } = new()
    {
        { "https://169.254.169.254/latest/meta-data/iam/", "link-local" },
        { "https://metadata.google.internal/computeMetadata/v1/", "cloud metadata host" },
        { "https://metadata/computeMetadata/v1/", "cloud metadata host" },
        { "https://instance-data.ec2.internal/latest/", "cloud metadata host" },
        { "https://100.100.100.200/latest/meta-data/", "shared" },
        { "https://10.0.0.8/hooks/ironcage", "private (10.0.0.0/8)" },
        { "https://172.16.0.1/hooks/ironcage", "private (172.16.0.0/12)" },
        { "https://172.31.255.254/hooks/ironcage", "private (172.16.0.0/12)" },
        { "https://192.168.1.20/hooks/ironcage", "private (192.168.0.0/16)" },
        { "https://[fc00::1]/hooks/ironcage", "unique-local" },
        { "https://[fd00:ec2::254]/latest/", "unique-local" },
        { "https://[fe80::1]/hooks/ironcage", "link-local" },
        { "https://[::ffff:169.254.169.254]/latest/", "link-local" },
        { "https://127.0.0.1:8443/hooks/ironcage", "loopback" },
        { "https://127.8.9.10/hooks/ironcage", "loopback" },
        { "https://[::1]/hooks/ironcage", "loopback" },
        { "https://localhost/hooks/ironcage", "loopback name" },
        { "https://receiver.localhost/hooks/ironcage", "private-use name" },
        { "https://vault.corp.internal/hooks/ironcage", "private-use name" },
        { "https://0.0.0.0/hooks/ironcage", "unspecified" },
        { "https://2852039166/latest/meta-data/", "link-local" },
        { "https://0xa9fea9fe/latest/meta-data/", "link-local" },
        { "https://0251.0376.0251.0376/latest/meta-data/", "link-local" },
        { "https://0x7f000001/hooks/ironcage", "loopback" },
        { "https://2130706433/hooks/ironcage", "loopback" },
    };

    [Theory]
    [MemberData(nameof(InternalTargets))]
    public async Task Start_WebhookAimedAtAnInternalTarget_IsRefusedWithTheOptIn(string url, string reason)
    {
        var act = () => StartAsync(b => b.AddWebhookNotifications(o =>
        {
            o.Url = new Uri(url);
            o.Secret = Secret;
        }));

        var thrown = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        thrown.Message.Should().Contain("WebhookNotificationOptions.Url").And.Contain(reason).And.Contain("WebhookNotificationOptions.AllowPrivateNetwork = true");
        thrown.Message.Should().NotContain(new Uri(url).AbsolutePath, "the path of a webhook URL may be a credential");
    }

    [Theory]
    [MemberData(nameof(InternalTargets))]
    public async Task Start_WebhookAimedAtAnInternalTargetWithTheOptIn_Starts(string url, string reason)
    {
        _ = reason;
        var act = () => StartAsync(b => b.AddWebhookNotifications(o =>
        {
            o.Url = new Uri(url);
            o.Secret = Secret;
            o.AllowPrivateNetwork = true;
        }));

        await act.Should().NotThrowAsync();
    }

    [Theory]
    [InlineData("https://hooks.example.com/ironcage")]
    [InlineData("https://172.32.0.1/ironcage")]
    [InlineData("https://172.15.255.255/ironcage")]
    [InlineData("https://100.128.0.1/ironcage")]
    [InlineData("https://8.8.8.8/ironcage")]
    [InlineData("https://[2001:db8::1]/ironcage")]
    [InlineData("https://metadata.example.com/ironcage")]
    public async Task Start_WebhookAimedAtAPublicTarget_Starts(string url)
    {
        var act = () => StartAsync(b => b.AddWebhookNotifications(o =>
        {
            o.Url = new Uri(url);
            o.Secret = Secret;
        }));

        await act.Should().NotThrowAsync();
    }

    [Theory]
    [InlineData("https://hooks.slack.com.evil.example/services/T/B/X")]
    [InlineData("https://evil.example/services/T/B/X")]
    [InlineData("https://hooks.slack.com:8443/services/T/B/X")]
    [InlineData("https://169.254.169.254/services/T/B/X")]
    public async Task Start_SlackUrlThatIsNotSlacks_IsRefused(string url)
    {
        var act = () => StartAsync(b => b.AddSlackNotifications(o => o.Url = new Uri(url)));

        var thrown = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        thrown.Message.Should().Contain("SlackNotificationOptions.Url").And.Contain("hooks.slack.com").And.NotContain("/services/T/B/X");
    }

    [Fact]
    public async Task Start_SlackUrlOnSlacksHost_Starts()
    {
        var act = () => StartAsync(b => b.AddSlackNotifications(o => o.Url = new Uri("https://hooks.slack.com/services/T000/B000/XXXX")));

        await act.Should().NotThrowAsync();
    }

    [Fact]
    public async Task Start_SlackRelayWithAllowAnyHost_StartsButStillRefusesInternalTargets()
    {
        var relay = () => StartAsync(b => b.AddSlackNotifications(o =>
        {
            o.Url = new Uri("https://chat-relay.example.com/services/T/B/X");
            o.AllowAnyHost = true;
        }));
        var metadata = () => StartAsync(b => b.AddSlackNotifications(o =>
        {
            o.Url = new Uri("https://169.254.169.254/services/T/B/X");
            o.AllowAnyHost = true;
        }));

        await relay.Should().NotThrowAsync();
        (await metadata.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("SlackNotificationOptions.AllowPrivateNetwork = true");
    }

    [Fact]
    public async Task Send_HostNameThatResolvesToLoopback_IsNotConnectedToWithoutTheOptIn()
    {
        // A name from the hosts file passes the start-up check (it is a name, not an address) but resolves to a loopback
        // address: the connection-time check after DNS catches it. The receiver is real, so the opt-in control reaches it.
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        if (await LoopbackNameAsync() is not { } name)
        {
            // No such name on this machine: the same check, on what "localhost" resolves to.
            var check = async () => NetworkTarget.FilterAllowed("localhost", await Dns.GetHostAddressesAsync("localhost"));
            await check.Should().ThrowAsync<HttpRequestException>();
            return;
        }

        // The sinks' primary handler connects through NetworkTarget.ConnectAsync (plain http to a name is refused at
        // start, so the handler is driven directly here, as the sinks' HttpClient drives it).
        var named = new UriBuilder(receiver.Url) { Host = name }.Uri;
        using (var refusing = new HttpClient(new SocketsHttpHandler { ConnectCallback = (c, t) => NetworkTarget.ConnectAsync(c, allowPrivateNetwork: false, t) }))
        {
            var act = () => refusing.PostAsync(named, new StringContent("{}"));

            (await act.Should().ThrowAsync<HttpRequestException>()).Which.ToString().Should().Contain("resolves only to internal addresses").And.Contain("AllowPrivateNetwork");
        }

        receiver.Requests.Should().BeEmpty("no connection reached the loopback receiver");

        using var allowing = new HttpClient(new SocketsHttpHandler { ConnectCallback = (c, t) => NetworkTarget.ConnectAsync(c, allowPrivateNetwork: true, t) });
        using var response = await allowing.PostAsync(named, new StringContent("{}"));
        (await receiver.WaitForRequestsAsync(1)).Should().ContainSingle("with the opt-in the same name is connected to");
    }

    [Fact]
    public void FilterAllowed_OnlyInternalAddresses_ThrowsWithTheOptIn()
    {
        var act = () => NetworkTarget.FilterAllowed("rebound.example.com", [IPAddress.Parse("169.254.169.254"), IPAddress.Parse("10.1.2.3")]);

        act.Should().Throw<HttpRequestException>().Which.Message.Should().Contain("rebound.example.com").And.Contain("AllowPrivateNetwork = true");
        NetworkTarget.FilterAllowed("mixed.example.com", [IPAddress.Parse("10.1.2.3"), IPAddress.Parse("93.184.215.14")]).Should().Equal(IPAddress.Parse("93.184.215.14"));
    }

    /// <summary>A name other than "localhost" that resolves to a loopback address (from the hosts file), or null.</summary>
    private static async Task<string?> LoopbackNameAsync()
    {
        foreach (var candidate in new[] { "vm", "runsc", "ip6-localhost", "localhost.localdomain" })
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(candidate);
                if (addresses.Length > 0 && addresses.All(IPAddress.IsLoopback))
                {
                    return candidate;
                }
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }

        return null;
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
