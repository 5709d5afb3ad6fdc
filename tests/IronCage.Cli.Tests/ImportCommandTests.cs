using System.Text.Json;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Cli.Tests;

public sealed class ImportCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Import_DotEnv_ImportsKeysAndPrintsTheReportWithoutValues()
    {
        var groq = FakeKeys.GenerateText(ProviderId.Groq);
        var deepSeek = FakeKeys.GenerateText(ProviderId.DeepSeek);
        File.WriteAllText(Path.Combine(_sandbox.Directory, ".env"), $"# app\nGROQ_API_KEY={groq}\nexport DEEPSEEK_API_KEY=\"{deepSeek}\"\nDATABASE_URL=postgres://db\n");

        var imported = await _sandbox.RunAsync("import", "--dotenv", ".env", "--no-verify");
        var listed = await _sandbox.RunAsync("keys", "list", "--json");

        imported.ExitCode.Should().Be(ExitCodes.Ok, imported.All);
        imported.Output.Should().Contain("groq/groq-api-key").And.Contain("deepseek/deepseek-api-key").And.Contain(":2 GROQ_API_KEY").And.Contain("2 imported");
        using var json = JsonDocument.Parse(listed.Output);
        json.RootElement.GetProperty("total").GetInt32().Should().Be(2);
        foreach (var run in new[] { imported, listed })
        {
            run.All.Should().NotContain(groq).And.NotContain(deepSeek);
        }
    }

    [Fact]
    public async Task Import_ScopeOption_GivesEveryImportedKeyTheEntry_AndABadPairIsAConfigurationError()
    {
        var groq = FakeKeys.GenerateText(ProviderId.Groq);
        File.WriteAllText(Path.Combine(_sandbox.Directory, ".env"), $"GROQ_API_KEY={groq}\n");

        var bad = await _sandbox.RunAsync("import", "--dotenv", ".env", "--no-verify", "--scope", "project_id");
        var imported = await _sandbox.RunAsync("import", "--dotenv", ".env", "--no-verify", "--scope", "project_id=proj_chat");
        var shown = await _sandbox.RunAsync("keys", "show", "groq/groq-api-key", "--json");

        bad.ExitCode.Should().Be(ExitCodes.UsageError, bad.All);
        bad.Error.Should().Contain("--scope").And.Contain("name=value");
        imported.ExitCode.Should().Be(ExitCodes.Ok, imported.All);
        using var json = JsonDocument.Parse(shown.Output);
        json.RootElement.GetProperty("scope").GetProperty("project_id").GetString().Should().Be("proj_chat");
    }

    [Fact]
    public async Task Import_DryRunJson_ReportsAndImportsNothing_ThenARealRunImports()
    {
        var groq = FakeKeys.GenerateText(ProviderId.Groq);
        _sandbox.Environment["GROQ_API_KEY"] = groq;

        var dry = await _sandbox.RunAsync("import", "--env", "--dry-run", "--no-verify", "--json");
        var afterDry = await _sandbox.RunAsync("keys", "list", "--json");
        var real = await _sandbox.RunAsync("import", "--env", "--no-verify", "--json");
        var again = await _sandbox.RunAsync("import", "--env", "--no-verify", "--json");

        dry.ExitCode.Should().Be(ExitCodes.Ok, dry.All);
        using (var json = JsonDocument.Parse(dry.Output))
        {
            json.RootElement.GetProperty("dryRun").GetBoolean().Should().BeTrue();
            json.RootElement.GetProperty("imported").GetInt32().Should().Be(1);
            var entry = json.RootElement.GetProperty("entries")[0];
            entry.GetProperty("origin").GetString().Should().Be("env:GROQ_API_KEY");
            entry.GetProperty("key").GetString().Should().Be("groq/groq-api-key");
            entry.GetProperty("hint").GetString().Should().EndWith(groq[^4..]);
        }

        using (var json = JsonDocument.Parse(afterDry.Output))
        {
            json.RootElement.GetProperty("total").GetInt32().Should().Be(0);
        }

        using (var json = JsonDocument.Parse(real.Output))
        {
            json.RootElement.GetProperty("imported").GetInt32().Should().Be(1);
        }

        using (var json = JsonDocument.Parse(again.Output))
        {
            json.RootElement.GetProperty("alreadyManaged").GetInt32().Should().Be(1);
        }

        foreach (var run in new[] { dry, real, again })
        {
            run.All.Should().NotContain(groq);
        }
    }

    [Fact]
    public async Task Import_InvalidEntry_ExitsWithFailure()
    {
        var anthropic = FakeKeys.GenerateText(ProviderId.Anthropic);
        var secrets = Directory.CreateDirectory(Path.Combine(_sandbox.Directory, "secrets")).FullName;
        File.WriteAllText(Path.Combine(secrets, "groq_api_key"), anthropic + "\n");

        var imported = await _sandbox.RunAsync("import", "--dir", "secrets", "--no-verify");

        imported.ExitCode.Should().Be(ExitCodes.Failure);
        imported.Output.Should().Contain("Invalid").And.Contain("sk-ant-api03-");
        imported.All.Should().NotContain(anthropic);
    }

    [Fact]
    public async Task Import_NoSource_IsAUsageError()
    {
        var imported = await _sandbox.RunAsync("import");

        imported.ExitCode.Should().Be(ExitCodes.UsageError);
        imported.Error.Should().Contain("--env").And.Contain("--dotenv").And.Contain("--dir");
    }

    [Fact]
    public async Task Import_MalformedDotEnv_ReportsTheLineAndExitsWithFailure()
    {
        var groq = FakeKeys.GenerateText(ProviderId.Groq);
        File.WriteAllText(Path.Combine(_sandbox.Directory, "bad.env"), $"GROQ_API_KEY=\"{groq}\n");

        var imported = await _sandbox.RunAsync("import", "--dotenv", "bad.env", "--no-verify");

        imported.ExitCode.Should().Be(ExitCodes.Failure);
        imported.Error.Should().Contain("bad.env:1");
        imported.All.Should().NotContain(groq);
    }

    [Fact]
    public async Task Import_ThousandsOfKeysAtATerminal_ShowsTheCountAndRateWhileItRuns()
    {
        var keys = Enumerable.Range(0, 4000).Select(_ => FakeKeys.GenerateText(ProviderId.Groq)).ToList();
        await File.WriteAllLinesAsync(Path.Combine(_sandbox.Directory, "big.env"), keys.Select((k, i) => $"SERVICE_{i}_GROQ_API_KEY={k}"));

        var (duringRun, final, exit) = await TmuxTerminal.RunAsync(_sandbox, "import --dotenv big.env --no-verify", pane => System.Text.RegularExpressions.Regex.IsMatch(pane, @"Importing [1-9][\d,]* keys \(\d+\.\d/s\)"));

        exit.Should().Be("exit=0");
        duringRun.Should().NotBeNull("the count and the rate are shown while the import runs");
        final.Should().Contain("4000 imported");
        foreach (var key in keys.Take(50))
        {
            (duringRun + final).Should().NotContain(key);
        }
    }
}
