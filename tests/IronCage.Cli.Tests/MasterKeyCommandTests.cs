using System.Security.Cryptography;
using System.Text.Json;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Cli.Tests;

public sealed class MasterKeyCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Rewrap_WithTheOldKeyRetired_MovesEverySecretToTheNewKeySoTheOldOneCanGo()
    {
        var keys = new[] { FakeKeys.GenerateText(ProviderId.Groq), FakeKeys.GenerateText(ProviderId.Groq) };
        for (var i = 0; i < keys.Length; i++)
        {
            (await _sandbox.RunWithInputAsync(keys[i], "keys", "add", $"groq/k{i}", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        }

        var oldKey = _sandbox.MasterKey;
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _sandbox.Environment["IRONCAGE_MASTER_KEY"] = newKey;
        _sandbox.Environment["IRONCAGE_RETIRED_MASTER_KEYS"] = oldKey;

        var dry = await _sandbox.RunAsync("master-key", "rewrap", "--dry-run", "--json");
        var rewrapped = await _sandbox.RunAsync("master-key", "rewrap", "--json");
        var again = await _sandbox.RunAsync("master-key", "rotate", "--json"); // the alias runs the same re-wrap
        _sandbox.Environment.Remove("IRONCAGE_RETIRED_MASTER_KEYS");
        var doctor = await _sandbox.RunAsync("doctor", "--json");
        var audit = await _sandbox.RunAsync("audit", "list", "--json");

        using (var json = JsonDocument.Parse(dry.Output))
        {
            json.RootElement.GetProperty("versions").GetInt32().Should().Be(2);
        }

        rewrapped.ExitCode.Should().Be(ExitCodes.Ok, rewrapped.All);
        using (var json = JsonDocument.Parse(rewrapped.Output))
        {
            json.RootElement.GetProperty("versions").GetInt32().Should().Be(2);
            json.RootElement.GetProperty("keys").GetInt32().Should().Be(2);
        }

        using (var json = JsonDocument.Parse(again.Output))
        {
            json.RootElement.GetProperty("versions").GetInt32().Should().Be(0, "nothing is left under the old key");
        }

        doctor.ExitCode.Should().Be(ExitCodes.Ok, doctor.All + " (the new master key alone opens every secret)");
        using (var json = JsonDocument.Parse(audit.Output))
        {
            json.RootElement.GetProperty("records").EnumerateArray().Count(r => r.GetProperty("action").GetString() == "key.rewrap").Should().Be(3, "one record per key and one for the run");
        }

        foreach (var run in new[] { dry, rewrapped, again, doctor, audit })
        {
            run.All.Should().NotContain(keys[0]).And.NotContain(keys[1]).And.NotContain(oldKey).And.NotContain(newKey);
        }
    }

    [Fact]
    public async Task Status_BeforeAndAfterARewrap_ShowsWhichKeyTheSecretsAreUnderAndWhenTheOldOneCanGo()
    {
        (await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/k", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        var oldKey = _sandbox.MasterKey;
        _sandbox.Environment["IRONCAGE_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _sandbox.Environment["IRONCAGE_RETIRED_MASTER_KEYS"] = oldKey;

        var before = await _sandbox.RunAsync("master-key", "status", "--json");
        var beforeText = await _sandbox.RunAsync("master-key", "status");
        (await _sandbox.RunAsync("master-key", "rewrap", "--batch-size", "1")).ExitCode.Should().Be(ExitCodes.Ok);
        var after = await _sandbox.RunAsync("master-key", "status", "--json");
        var afterText = await _sandbox.RunAsync("master-key", "status");

        string current;
        using (var json = JsonDocument.Parse(before.Output))
        {
            current = json.RootElement.GetProperty("currentKey").GetString()!;
            json.RootElement.GetProperty("stale").GetInt32().Should().Be(1);
            var old = json.RootElement.GetProperty("keys").EnumerateArray().Should().ContainSingle("nothing is under the new key yet").Subject;
            old.GetProperty("current").GetBoolean().Should().BeFalse();
            old.GetProperty("versions").GetInt32().Should().Be(1);
        }

        beforeText.Output.Should().Contain("1 secret(s) are still under an older key: run `ironcage master-key rewrap`");
        using (var json = JsonDocument.Parse(after.Output))
        {
            json.RootElement.GetProperty("stale").GetInt32().Should().Be(0);
            var only = json.RootElement.GetProperty("keys").EnumerateArray().Should().ContainSingle().Subject;
            only.GetProperty("id").GetString().Should().Be(current);
            only.GetProperty("current").GetBoolean().Should().BeTrue();
        }

        afterText.Output.Should().Contain("(current)").And.Contain("any other master key can be removed");
        foreach (var run in new[] { before, beforeText, after, afterText })
        {
            run.All.Should().NotContain(oldKey);
        }
    }

    [Fact]
    public async Task Rewrap_WithoutTheOldKey_FailsNamingTheRetiredKeySetting()
    {
        (await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/k", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        _sandbox.Environment["IRONCAGE_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var run = await _sandbox.RunAsync("master-key", "rewrap");

        run.ExitCode.Should().Be(ExitCodes.Failure, run.All);
        run.Error.Should().Contain("RetiredMasterKeys");
    }

    [Fact]
    public async Task Rewrap_OfThousandsOfKeysAtATerminal_ShowsTheCountAndRateWhileItRuns()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(_sandbox.MasterKey).PersistToSqlite(_sandbox.ConnectionString).AddRotation();
        await using (var provider = services.BuildServiceProvider())
        {
            var rotator = provider.GetRequiredService<IKeyRotator>();
            for (var i = 0; i < 2000; i++)
            {
                using var secret = FakeKeys.Generate(ProviderId.Groq);
                await rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse($"groq/k{i}"), Verify = false }, secret);
            }
        }

        _sandbox.Environment["IRONCAGE_RETIRED_MASTER_KEYS"] = _sandbox.MasterKey;
        _sandbox.Environment["IRONCAGE_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var (duringRun, final, exit) = await TmuxTerminal.RunAsync(_sandbox, "master-key rewrap", pane => System.Text.RegularExpressions.Regex.IsMatch(pane, @"Re-wrapping [1-9]\d*/2000 keys \(\d+\.\d/s\)"));

        exit.Should().Be("exit=0");
        duringRun.Should().NotBeNull("the count and the rate are shown while the re-wrap runs");
        final.Should().Contain("Re-wrapped 2000 version(s) of 2000 key(s)");
    }
}
