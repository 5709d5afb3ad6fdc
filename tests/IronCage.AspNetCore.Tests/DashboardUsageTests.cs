using System.Net;
using System.Text.RegularExpressions;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static IronCage.AspNetCore.Tests.AdminTestHost;

namespace IronCage.AspNetCore.Tests;

/// <summary>The usage page's numbers agree with each other: per key and per provider both come from the store.</summary>
public sealed class DashboardUsageTests : IAsyncLifetime
{
    private AdminTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartAsync(access: o => o.RateLimitPermits = 10_000);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task UsagePage_UsageAnotherInstanceStored_PerKeyTableMatchesTheProviderBreakdown()
    {
        var (key, _) = await _host.SeedAsync("a");
        var now = _host.Clock.GetCurrentInstant();
        var earlierThisMonth = now - Duration.FromDays(1);

        // Another instance's flushes: this instance never recorded them, so its live counters start without them.
        await _host.Services.GetRequiredService<IUsageStore>().AppendAsync(
        [
            new UsageRecord { Key = key, Minute = earlierThisMonth, Model = "gpt-4o-mini", Requests = 30, InputTokens = 3_000, OutputTokens = 900, Cost = 1.25m },
            new UsageRecord { Key = key, Minute = now - Duration.FromMinutes(5), Model = "gpt-4o-mini", Requests = 10, InputTokens = 1_000, OutputTokens = 300, Cost = 0.5m },
        ]);

        using var response = await _host.SendAsync(HttpMethod.Get, "/ironcage/usage", Caller.RightRoleMfa);
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var row = Row(html, "usage-metrics", "openai/a");
        row.Should().Equal("10", "40", "4,000", "1,200", "0", "0.0 %", "1.75 USD", "none");
        Row(html, "cost-by-provider", "openai").Should().StartWith("40");
    }

    [Fact]
    public async Task UsagePage_MoreKeysThanItShows_ListsTheMostUsed_AndAnyKeyNamedByItsPageCanHaveItsAlertsChanged()
    {
        var seeded = new List<KeyReference>();
        for (var i = 0; i < 55; i++)
        {
            seeded.Add((await _host.SeedAsync($"k{i:D2}")).Key);
        }

        // k54 sorts last by name, so only its use this month brings it into the 50 keys the tables show.
        var now = _host.Clock.GetCurrentInstant();
        await _host.Services.GetRequiredService<IUsageStore>().AppendAsync(
            [new UsageRecord { Key = seeded[54], Minute = now - Duration.FromMinutes(5), Model = "gpt-4o-mini", Requests = 7, Cost = 0.25m }]);

        using var response = await _host.SendAsync(HttpMethod.Get, "/ironcage/usage", Caller.RightRoleMfa);
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        html.Should().Contain("show the 50 keys with the most use this month, of 55");
        Row(html, "usage-metrics", "openai/k54").Should().StartWith("7");
        Row(html, "usage-metrics", "openai/k00").Should().StartWith("0");
        html.Should().NotContain(">openai/k53<", "k53 has no use and sorts after the first 49 by name");

        // The key's page links to the usage page with ?key=, which shows that key's alerts form even outside the 50.
        using var detail = await _host.SendAsync(HttpMethod.Get, "/ironcage/keys/openai/k53", Caller.RightRoleMfa);
        (await detail.Content.ReadAsStringAsync()).Should().Contain("/ironcage/usage?key=openai%2Fk53#alert-config");
        using var focused = await _host.SendAsync(HttpMethod.Get, "/ironcage/usage?key=openai%2Fk53", Caller.RightRoleMfa);
        (await focused.Content.ReadAsStringAsync()).Should().Contain("id=\"alerts-openai-k53\"");
        using var unknown = await _host.SendAsync(HttpMethod.Get, "/ironcage/usage?key=openai%2Fnope", Caller.RightRoleMfa);
        unknown.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    // The cells after the row header of the table with id, for the row whose header is name.
    private static List<string> Row(string html, string tableId, string name)
    {
        var table = Regex.Match(html, $"<table id=\"{Regex.Escape(tableId)}\".*?</table>", RegexOptions.Singleline).Value;
        table.Should().NotBeEmpty(tableId);
        var row = Regex.Matches(table, "<tr>(.*?)</tr>", RegexOptions.Singleline).Select(m => m.Groups[1].Value)
            .Single(r => Text(Regex.Match(r, "<th[^>]*>(.*?)</th>", RegexOptions.Singleline).Groups[1].Value) == name);
        return [.. Regex.Matches(row, "<td[^>]*>(.*?)</td>", RegexOptions.Singleline).Select(m => Text(m.Groups[1].Value))];
    }

    private static string Text(string html) => WebUtility.HtmlDecode(Regex.Replace(html, "<[^>]+>", string.Empty)).Trim();
}
