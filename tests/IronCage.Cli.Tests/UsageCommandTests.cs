using System.Text.Json;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Cli.Tests;

public sealed class UsageCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task UsageShowAndReport_ReadWhatAHostRecordedInTheStore()
    {
        (await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.OpenAI), "keys", "add", "openai/prod", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        await RecordAsync(KeyReference.Parse("openai/prod"), requests: 3, inputTokens: 100, outputTokens: 20);

        var shown = await _sandbox.RunAsync("usage", "show", "openai/prod", "--json");
        var table = await _sandbox.RunAsync("usage", "show", "openai/prod");
        var csv = await _sandbox.RunAsync("usage", "report", "--format", "csv");
        var history = await _sandbox.RunAsync("usage", "history", "openai/prod", "--json");

        shown.ExitCode.Should().Be(ExitCodes.Ok, shown.All);
        using (var json = JsonDocument.Parse(shown.Output))
        {
            var day = json.RootElement.GetProperty("usage").GetProperty("day");
            day.GetProperty("requests").GetInt64().Should().Be(3);
            day.GetProperty("inputTokens").GetInt64().Should().Be(300);
            day.GetProperty("outputTokens").GetInt64().Should().Be(60);
        }

        table.Output.Should().Contain("month").And.Contain("300");
        csv.ExitCode.Should().Be(ExitCodes.Ok, csv.All);
        csv.Output.Should().StartWith(UsageReport.CsvHeader).And.Contain("openai/prod");
        using (var json = JsonDocument.Parse(history.Output))
        {
            json.RootElement.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("requests").GetInt64()).Should().Be(3);
        }
    }

    [Fact]
    public async Task UsageHistory_FromAfterTo_IsAUsageError()
    {
        var run = await _sandbox.RunAsync("usage", "history", "openai/prod", "--from", "2026-12-02T00:00:00Z", "--to", "2026-12-01T00:00:00Z");

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().Contain("--from");
    }

    private async Task RecordAsync(KeyReference key, int requests, long inputTokens, long outputTokens)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(_sandbox.MasterKey).PersistToSqlite(_sandbox.ConnectionString).AddUsageTracking();
        await using var provider = services.BuildServiceProvider();
        var recorder = provider.GetRequiredService<IUsageRecorder>();
        var now = SystemClock.Instance.GetCurrentInstant();
        for (var i = 0; i < requests; i++)
        {
            recorder.Record(new UsageSample(key, now, "gpt-4o-mini", inputTokens, outputTokens));
        }

        await recorder.FlushAsync();
    }
}
