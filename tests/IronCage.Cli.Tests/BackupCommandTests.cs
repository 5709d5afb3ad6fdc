using System.Text;
using System.Text.Json;
using IronCage.Testing;

namespace IronCage.Cli.Tests;

public sealed class BackupCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task ExportThenRestore_IntoAnEmptyStore_BringsEveryKeyBackAndEverySecretOpens()
    {
        var secrets = new[] { FakeKeys.GenerateText(ProviderId.Groq), FakeKeys.GenerateText(ProviderId.Groq) };
        for (var i = 0; i < secrets.Length; i++)
        {
            (await _sandbox.RunWithInputAsync(secrets[i], "keys", "add", $"groq/k{i}", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        }

        var exported = await _sandbox.RunAsync("backup", "export", "--out", "store.backup", "--json");
        var file = Path.Combine(_sandbox.Directory, "store.backup");
        MoveToAnotherDatabase();
        var dry = await _sandbox.RunAsync("backup", "restore", "store.backup", "--dry-run", "--json");
        var emptyAfterDryRun = await KeysAsync();
        var restored = await _sandbox.RunAsync("backup", "restore", "store.backup", "--json");
        var doctor = await _sandbox.RunAsync("doctor", "--json");
        var again = await _sandbox.RunAsync("backup", "restore", "store.backup");
        var merged = await _sandbox.RunAsync("backup", "restore", "store.backup", "--merge", "--json");
        var audit = await _sandbox.RunAsync("audit", "list", "--json");

        exported.ExitCode.Should().Be(ExitCodes.Ok, exported.All);
        string backupId;
        using (var json = JsonDocument.Parse(exported.Output))
        {
            json.RootElement.GetProperty("keys").GetInt32().Should().Be(2);
            json.RootElement.GetProperty("versions").GetInt32().Should().Be(2);
            backupId = json.RootElement.GetProperty("backupId").GetString()!;
        }

        var bytes = await File.ReadAllBytesAsync(file);
        foreach (var secret in secrets)
        {
            bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).Should().Be(-1, "secrets stay sealed in the backup");
        }

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "only the operator reads a backup");
        }

        dry.ExitCode.Should().Be(ExitCodes.Ok, dry.All);
        using (var json = JsonDocument.Parse(dry.Output))
        {
            json.RootElement.GetProperty("dryRun").GetBoolean().Should().BeTrue();
            json.RootElement.GetProperty("keys").GetInt32().Should().Be(2);
            json.RootElement.GetProperty("secretsVerified").GetInt32().Should().Be(2);
        }

        emptyAfterDryRun.Should().BeEmpty("a dry run writes nothing");
        restored.ExitCode.Should().Be(ExitCodes.Ok, restored.All);
        (await KeysAsync()).Should().Equal("groq/k0", "groq/k1");
        doctor.ExitCode.Should().Be(ExitCodes.Ok, doctor.All + " (every restored secret opens with the master key)");
        again.ExitCode.Should().Be(ExitCodes.Failure);
        again.Error.Should().Contain("already holds 2 managed key(s)").And.Contain("--merge");
        merged.ExitCode.Should().Be(ExitCodes.Ok, merged.All);
        using (var json = JsonDocument.Parse(merged.Output))
        {
            json.RootElement.GetProperty("skippedKeys").EnumerateArray().Select(e => e.GetString()).Should().Equal("groq/k0", "groq/k1");
            json.RootElement.GetProperty("keys").GetInt32().Should().Be(0);
        }

        using (var json = JsonDocument.Parse(audit.Output))
        {
            json.RootElement.GetProperty("records").EnumerateArray().Count(r => r.GetProperty("action").GetString() == "store.restore").Should().Be(2, "the restore and the merge");
        }

        foreach (var run in new[] { exported, dry, restored, doctor, again, merged, audit })
        {
            run.All.Should().NotContain(secrets[0]).And.NotContain(secrets[1]).And.NotContain(_sandbox.MasterKey);
        }

        backupId.Should().StartWith("bk_");
    }

    [Fact]
    public async Task Restore_AChangedFile_FailsNamingTheProblemAndWritesNothing()
    {
        (await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/k", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        (await _sandbox.RunAsync("backup", "export", "-o", "store.backup")).ExitCode.Should().Be(ExitCodes.Ok);
        var file = Path.Combine(_sandbox.Directory, "store.backup");
        var text = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, text.Replace("\"groq/k\"", "\"groq/x\"", StringComparison.Ordinal));
        MoveToAnotherDatabase();

        var dry = await _sandbox.RunAsync("backup", "restore", "store.backup", "--dry-run");
        var restore = await _sandbox.RunAsync("backup", "restore", "store.backup");

        foreach (var run in new[] { dry, restore })
        {
            run.ExitCode.Should().Be(ExitCodes.Failure, run.All);
            run.Error.Should().Contain("does not match its MAC").And.Contain("Nothing was restored");
        }

        (await KeysAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Export_ToAnExistingFile_RefusesUnlessForced()
    {
        var file = Path.Combine(_sandbox.Directory, "store.backup");
        await File.WriteAllTextAsync(file, "keep me");

        var refused = await _sandbox.RunAsync("backup", "export", "--out", "store.backup");
        var kept = await File.ReadAllTextAsync(file);
        var forced = await _sandbox.RunAsync("backup", "export", "--out", "store.backup", "--force");

        refused.ExitCode.Should().Be(ExitCodes.UsageError);
        refused.Error.Should().Contain("--force");
        kept.Should().Be("keep me");
        forced.ExitCode.Should().Be(ExitCodes.Ok, forced.All);
        (await File.ReadAllTextAsync(file)).Should().StartWith("{\"type\":\"header\"");
        File.Exists(file + ".partial").Should().BeFalse();
    }

    private void MoveToAnotherDatabase()
        => _sandbox.Environment["IronCage__ConnectionString"] = "Data Source=" + Path.Combine(_sandbox.Directory, "restored.db");

    private async Task<List<string>> KeysAsync()
    {
        var run = await _sandbox.RunAsync("keys", "list", "--json");
        run.ExitCode.Should().Be(ExitCodes.Ok, run.All);
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement : json.RootElement.GetProperty("keys");
        return [.. root.EnumerateArray().Select(k => k.GetProperty("key").GetString()!)];
    }
}
