using System.Text.Json;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Cli.Tests;

public sealed class KeySettingsCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task KeysLimits_HardSoftAndAlerts_AreStoredShownAndAudited()
    {
        await AddAsync();

        var set = await _sandbox.RunAsync("keys", "limits", "groq/prod", "--hard", "cost/month=100", "--hard", "requests/minute=60", "--soft", "tokens/day=2e6", "--alerts", "0.95,0.5", "--actor", "alice");
        var shown = await _sandbox.RunAsync("keys", "limits", "groq/prod", "--json");
        var audit = await _sandbox.RunAsync("audit", "list", "--json");

        set.ExitCode.Should().Be(ExitCodes.Ok, set.All);
        set.Output.Should().Contain("Cost").And.Contain("Month").And.Contain("Stored the limits of groq/prod");
        using var json = JsonDocument.Parse(shown.Output);
        var limits = json.RootElement.GetProperty("limits").EnumerateArray().Select(l => $"{l.GetProperty("metric").GetString()}/{l.GetProperty("window").GetString()}={l.GetProperty("limit").GetDecimal()} {l.GetProperty("enforcement").GetString()}").ToList();
        limits.Should().BeEquivalentTo("Cost/Month=100 Hard", "Requests/Minute=60 Hard", "Tokens/Day=2000000 Soft");
        json.RootElement.GetProperty("alertThresholds").EnumerateArray().Select(t => t.GetDecimal()).Should().Equal(0.5m, 0.95m);
        using var records = JsonDocument.Parse(audit.Output);
        records.RootElement.GetProperty("records").EnumerateArray().Should().Contain(r => r.GetProperty("action").GetString() == "key.limits-changed" && r.GetProperty("actor").GetString() == "alice");
    }

    [Fact]
    public async Task KeysLimits_DryRunAndClear_DryRunChangesNothingClearRemovesEveryLimit()
    {
        await AddAsync();
        (await _sandbox.RunAsync("keys", "limits", "groq/prod", "--hard", "cost/day=5")).ExitCode.Should().Be(ExitCodes.Ok);

        var dry = await _sandbox.RunAsync("keys", "limits", "groq/prod", "--hard", "cost/day=500", "--dry-run");
        var afterDry = await _sandbox.RunAsync("keys", "limits", "groq/prod", "--json");
        var cleared = await _sandbox.RunAsync("keys", "limits", "groq/prod", "--clear", "--json");

        dry.Output.Should().Contain("500").And.Contain("Dry run");
        JsonDocument.Parse(afterDry.Output).RootElement.GetProperty("limits")[0].GetProperty("limit").GetDecimal().Should().Be(5);
        JsonDocument.Parse(cleared.Output).RootElement.GetProperty("limits").GetArrayLength().Should().Be(0);
    }

    [Theory]
    [InlineData("--hard", "cost=100", "metric/window=amount")]
    [InlineData("--hard", "dollars/month=100", "is not a metric")]
    [InlineData("--soft", "cost/week=100", "is not a window")]
    [InlineData("--hard", "cost/month=0", "above 0")]
    [InlineData("--alerts", "1.5", "out of range")]
    public async Task KeysLimits_BadInput_IsAUsageErrorThatSaysHowToFixItAndStoresNothing(string option, string value, string message)
    {
        await AddAsync();

        var run = await _sandbox.RunAsync("keys", "limits", "groq/prod", option, value);
        var shown = await _sandbox.RunAsync("keys", "limits", "groq/prod", "--json");

        run.ExitCode.Should().Be(ExitCodes.UsageError, run.All);
        run.Error.Should().Contain(message);
        JsonDocument.Parse(shown.Output).RootElement.GetProperty("limits").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task KeysSchedule_ScheduleWindowAndGrace_AreStoredWithTheNextDueTime()
    {
        await AddAsync();

        var set = await _sandbox.RunAsync("keys", "schedule", "groq/prod", "--every", "P30D", "--window-days", "Sat,sun", "--window-start", "03:00", "--window-length", "2h", "--time-zone", "Europe/Berlin", "--grace", "PT12H", "--expiry-warning", "7d");
        var shown = await _sandbox.RunAsync("keys", "schedule", "groq/prod", "--json");
        var audit = await _sandbox.RunAsync("audit", "list", "--json");

        set.ExitCode.Should().Be(ExitCodes.Ok, set.All);
        set.Output.Should().Contain("Stored the rotation policy");
        var view = JsonDocument.Parse(shown.Output).RootElement;
        view.GetProperty("schedule").GetString().Should().Be("P30D");
        view.GetProperty("window").GetString().Should().Contain("Saturday").And.Contain("Sunday").And.Contain("03:00").And.Contain("Europe/Berlin");
        view.GetProperty("gracePeriod").GetString().Should().StartWith("0:12:00:00");
        view.GetProperty("nextDueAt").ValueKind.Should().Be(JsonValueKind.String);
        JsonDocument.Parse(audit.Output).RootElement.GetProperty("records").EnumerateArray().Should().Contain(r => r.GetProperty("action").GetString() == "key.policy-changed");
    }

    [Fact]
    public async Task KeysSchedule_EveryNone_LeavesTheKeyOnDemandOnly()
    {
        await AddAsync("--schedule", "monthly");

        var set = await _sandbox.RunAsync("keys", "schedule", "groq/prod", "--every", "none", "--json");

        set.ExitCode.Should().Be(ExitCodes.Ok, set.All);
        var view = JsonDocument.Parse(set.Output).RootElement;
        view.TryGetProperty("schedule", out _).Should().BeFalse("a key without a schedule has none (the tool leaves nulls out)");
        view.TryGetProperty("nextDueAt", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("--every", "fortnightly", "is not a rotation schedule")]
    [InlineData("--grace", "40d", "out of range")]
    [InlineData("--grace", "P1M", "no months or years")]
    [InlineData("--window-days", "Funday", "is not a day")]
    [InlineData("--time-zone", "Mars/Olympus", "is not a time zone")]
    [InlineData("--window-start", "25:00", "is not a time of day")]
    public async Task KeysSchedule_BadInput_IsAUsageErrorThatSaysHowToFixItAndChangesNothing(string option, string value, string message)
    {
        await AddAsync("--schedule", "monthly");

        var run = await _sandbox.RunAsync("keys", "schedule", "groq/prod", option, value);
        var shown = await _sandbox.RunAsync("keys", "schedule", "groq/prod", "--json");

        run.ExitCode.Should().Be(ExitCodes.UsageError, run.All);
        run.Error.Should().Contain(message);
        JsonDocument.Parse(shown.Output).RootElement.GetProperty("schedule").GetString().Should().Be("monthly");
    }

    private async Task AddAsync(params string[] extra)
    {
        var added = await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq) + "\n", ["keys", "add", "groq/prod", "--no-verify", .. extra]);
        added.ExitCode.Should().Be(ExitCodes.Ok, added.All);
    }
}
