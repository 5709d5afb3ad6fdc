using System.Text.Json;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Cli.Tests;

public sealed class KeysCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task KeysAdd_FromStandardInput_StoresTheKeyAndNoOutputEverShowsIt()
    {
        var key = FakeKeys.GenerateText(ProviderId.Groq);

        var added = await _sandbox.RunWithInputAsync(key + "\n", "keys", "add", "groq/prod", "--no-verify", "--schedule", "monthly", "--label", "env=prod");
        var listed = await _sandbox.RunAsync("keys", "list");
        var shown = await _sandbox.RunAsync("keys", "show", "groq/prod", "--json");

        added.ExitCode.Should().Be(ExitCodes.Ok, added.All);
        added.Output.Should().Contain("Added groq/prod");
        listed.Output.Should().Contain("groq/prod").And.Contain("monthly").And.Contain(key[^4..]);
        using var json = JsonDocument.Parse(shown.Output);
        json.RootElement.GetProperty("key").GetString().Should().Be("groq/prod");
        json.RootElement.GetProperty("labels").GetProperty("env").GetString().Should().Be("prod");
        json.RootElement.GetProperty("history").GetArrayLength().Should().Be(1);
        json.RootElement.GetProperty("history")[0].GetProperty("stage").GetString().Should().Be("Current");
        foreach (var run in new[] { added, listed, shown })
        {
            run.All.Should().NotContain(key);
        }
    }

    [Fact]
    public async Task KeysAdd_KeyOfAnotherProvider_FailsWithTheFormatErrorAndStoresNothing()
    {
        var openAIKey = FakeKeys.GenerateText(ProviderId.OpenAI);

        var added = await _sandbox.RunWithInputAsync(openAIKey, "keys", "add", "groq/prod", "--no-verify");
        var listed = await _sandbox.RunAsync("keys", "list", "--json");

        added.ExitCode.Should().Be(ExitCodes.Failure);
        added.Error.Should().Contain("Groq").And.Contain("openai");
        added.All.Should().NotContain(openAIKey);
        using var json = JsonDocument.Parse(listed.Output);
        json.RootElement.GetProperty("total").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task KeysAdd_NothingOnStandardInput_IsAUsageErrorThatSaysHowToGiveTheKey()
    {
        var added = await _sandbox.RunWithInputAsync(string.Empty, "keys", "add", "groq/prod", "--no-verify");

        added.ExitCode.Should().Be(ExitCodes.UsageError);
        added.Error.Should().Contain("standard input").And.Contain("--from-file");
    }

    [Fact]
    public async Task KeysAdd_FromFile_TrimsTheNewlineAFileEndsWith()
    {
        var key = FakeKeys.GenerateText(ProviderId.Groq);
        await File.WriteAllTextAsync(Path.Combine(_sandbox.Directory, "key.txt"), key + "\r\n");

        var added = await _sandbox.RunAsync("keys", "add", "groq/prod", "--no-verify", "--from-file", "key.txt");
        var doctor = await _sandbox.RunAsync("doctor");

        added.ExitCode.Should().Be(ExitCodes.Ok, added.All);
        doctor.ExitCode.Should().Be(ExitCodes.Ok, doctor.All);
    }

    [Fact]
    public async Task KeysRevoke_WithoutYesAndWithoutATerminal_ChangesNothing()
    {
        await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/prod", "--no-verify");

        var revoked = await _sandbox.RunAsync("keys", "revoke", "groq/prod");
        var shown = await _sandbox.RunAsync("keys", "show", "groq/prod", "--json");

        revoked.ExitCode.Should().Be(ExitCodes.UsageError);
        revoked.Error.Should().Contain("--yes").And.Contain("Nothing was changed");
        using var json = JsonDocument.Parse(shown.Output);
        json.RootElement.GetProperty("history")[0].GetProperty("stage").GetString().Should().Be("Current");
    }

    [Fact]
    public async Task KeysKill_WithYes_StopsServingTheCurrentVersionAndIsAudited()
    {
        await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/prod", "--no-verify");

        var killed = await _sandbox.RunAsync("keys", "kill", "groq/prod", "--yes", "--actor", "oncall@example.test", "--json");
        var audit = await _sandbox.RunAsync("audit", "list", "--json");

        killed.ExitCode.Should().Be(ExitCodes.Ok, killed.All);
        using var json = JsonDocument.Parse(killed.Output);
        json.RootElement.GetProperty("history")[0].GetProperty("killedAt").GetString().Should().NotBeNullOrEmpty();
        using var records = JsonDocument.Parse(audit.Output);
        records.RootElement.GetProperty("records").EnumerateArray()
            .Should().Contain(r => r.GetProperty("actor").GetString() == "oncall@example.test" && r.GetProperty("target").GetString() == "groq/prod" && r.GetProperty("action").GetString()!.Contains("kill"));
    }

    [Fact]
    public async Task KeysShow_UnknownKey_FailsAndNamesIt()
    {
        var shown = await _sandbox.RunAsync("keys", "show", "groq/missing");

        shown.ExitCode.Should().Be(ExitCodes.Failure);
        shown.Error.Should().Contain("groq/missing");
    }
}
