using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace IronCage.Packaging.Tests;

/// <summary>
/// The <c>ironcage</c> tool as an operator gets it: the packed IronCage.Cli installed with <c>dotnet tool install</c> into
/// a temporary tool path, then run as a process against a temporary SQLite file — the key from standard input, never in
/// the process's command line.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class CliToolTests(PackedFeed packed)
{
    public const string PackageId = "IronCage.Cli";
    public const string Command = "ironcage";

    [Fact]
    public async Task InstalledTool_AddsAKeyFromStandardInputListsItAndExitsWithTheDocumentedCodes()
    {
        var tools = packed.NewFolder("tools");
        var work = packed.NewFolder("cli-work");
        await File.WriteAllTextAsync(Path.Combine(work, "nuget.config"), await packed.NuGetConfigAsync());
        await DotnetCli.RunDotnetAsync(work, "tool", "install", PackageId, "--tool-path", tools, "--version", packed.Version, "--configfile", Path.Combine(work, "nuget.config"));
        var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? Command + ".exe" : Command);
        var environment = new Dictionary<string, string>
        {
            ["IRONCAGE_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["IronCage__ConnectionString"] = $"Data Source={Path.Combine(work, "ironcage.db")}",
        };
        var key = "gsk_" + string.Concat(RandomNumberGenerator.GetItems<char>("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 52));

        var help = await RunAsync(tool, work, environment, null, "--help");
        var added = await RunAsync(tool, work, environment, key + "\n", "keys", "add", "groq/prod", "--no-verify");
        var listed = await RunAsync(tool, work, environment, null, "keys", "list", "--json");
        var usage = await RunAsync(tool, work, environment, null, "keys", "show", "not-a-key");
        var noKey = await RunAsync(tool, work, new Dictionary<string, string>(environment) { ["IRONCAGE_MASTER_KEY"] = string.Empty }, null, "keys", "list");

        help.ExitCode.Should().Be(0, help.Output);
        help.Output.Should().Contain("keys").And.Contain("doctor");
        added.ExitCode.Should().Be(0, added.Output);
        added.CommandLine.Should().NotContain(key);
        listed.ExitCode.Should().Be(0, listed.Output);
        using (var json = JsonDocument.Parse(listed.Output))
        {
            json.RootElement.GetProperty("keys")[0].GetProperty("key").GetString().Should().Be("groq/prod");
        }

        usage.ExitCode.Should().Be(2, usage.Output);
        noKey.ExitCode.Should().Be(2, noKey.Output);
        foreach (var run in new[] { help, added, listed, usage, noKey })
        {
            run.Output.Should().NotContain(key);
        }
    }

    [Fact]
    public async Task InstalledTool_RotatesPlansReportsVerifiesRevokesAndDiagnosesAgainstTheEmulator()
    {
        await using var emulator = await IronCage.Testing.Emulator.ProviderEmulator.StartAsync();
        var tools = packed.NewFolder("tools-flow");
        var work = packed.NewFolder("cli-flow");
        await File.WriteAllTextAsync(Path.Combine(work, "nuget.config"), await packed.NuGetConfigAsync());
        await DotnetCli.RunDotnetAsync(work, "tool", "install", PackageId, "--tool-path", tools, "--version", packed.Version, "--configfile", Path.Combine(work, "nuget.config"));
        var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? Command + ".exe" : Command);
        var masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var environment = new Dictionary<string, string>
        {
            ["IRONCAGE_MASTER_KEY"] = masterKey,
            ["IronCage__ConnectionString"] = $"Data Source={Path.Combine(work, "ironcage.db")}",
            ["IronCage__OpenAI__BaseAddress"] = emulator.OpenAI.BaseAddress.ToString(),
            ["IronCage__OpenAI__AdminKey"] = emulator.OpenAI.AdminKey,
        };
        var seeded = emulator.OpenAI.AddProjectKey("prod");
        var spare = emulator.OpenAI.AddProjectKey("spare");

        var added = await RunAsync(tool, work, environment, seeded.Secret + "\n", "keys", "add", "openai/prod", "--scope", "project_id=" + IronCage.Testing.Emulator.EmulatorConstants.OpenAIProjectId, "--provider-key-id", seeded.Id);
        var addedSpare = await RunAsync(tool, work, environment, spare.Secret, "keys", "add", "openai/spare", "--scope", "project_id=" + IronCage.Testing.Emulator.EmulatorConstants.OpenAIProjectId, "--provider-key-id", spare.Id);
        var rotated = await RunAsync(tool, work, environment, null, "keys", "rotate", "openai/prod", "--json");
        var plan = await RunAsync(tool, work, environment, null, "plan", "--json");
        var usage = await RunAsync(tool, work, environment, null, "usage", "show", "openai/prod", "--json");
        var audit = await RunAsync(tool, work, environment, null, "audit", "verify");
        var healthy = await RunAsync(tool, work, environment, null, "doctor");
        var revoked = await RunAsync(tool, work, environment, null, "keys", "revoke", "openai/spare", "--yes", "--json");
        var wrongKey = await RunAsync(tool, work, new Dictionary<string, string>(environment) { ["IRONCAGE_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, null, "doctor");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(work, "ironcage.db")};Pooling=False"))
        {
            // What a newer IronCage leaves behind: a schema version this tool does not know.
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO ironcage_schema_version (version, description, applied_at) VALUES (99, 'from the future', '2030-01-01T00:00:00Z');";
            await command.ExecuteNonQueryAsync();
        }

        var newerSchema = await RunAsync(tool, work, environment, null, "doctor");

        added.ExitCode.Should().Be(0, added.Output);
        addedSpare.ExitCode.Should().Be(0, addedSpare.Output);
        rotated.ExitCode.Should().Be(0, rotated.Output);
        using (var json = JsonDocument.Parse(rotated.Output))
        {
            json.RootElement.GetProperty("step").GetString().Should().Be("GracePeriod");
        }

        plan.ExitCode.Should().Be(0, plan.Output);
        using (var json = JsonDocument.Parse(usage.Output))
        {
            json.RootElement.GetProperty("usage").GetProperty("day").GetProperty("requests").GetInt64().Should().Be(0);
        }

        audit.ExitCode.Should().Be(0, audit.Output);
        healthy.ExitCode.Should().Be(0, healthy.Output);
        revoked.ExitCode.Should().Be(0, revoked.Output);
        emulator.OpenAI.IsValid(spare.Secret).Should().BeFalse("the revocation reached the provider");
        emulator.OpenAI.IsValid(seeded.Secret).Should().BeTrue("the rotated key's old version stays valid through its grace period");
        wrongKey.ExitCode.Should().Be(1, wrongKey.Output);
        wrongKey.Output.Should().Contain("master key");
        newerSchema.ExitCode.Should().Be(1, newerSchema.Output);
        newerSchema.Output.Should().Contain("99", "the tool names the schema version it does not know");
        foreach (var run in new[] { added, addedSpare, rotated, plan, usage, audit, healthy, revoked, wrongKey, newerSchema })
        {
            run.Output.Should().NotContain(seeded.Secret).And.NotContain(spare.Secret);
            run.CommandLine.Should().NotContain(seeded.Secret).And.NotContain(spare.Secret);
        }
    }

    private sealed record Run(int ExitCode, string Output, string CommandLine);

    private static async Task<Run> RunAsync(string program, string workingDirectory, IReadOnlyDictionary<string, string> environment, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cancel.Token);
        return new Run(process.ExitCode, await stdout + await stderr, string.Join(' ', arguments));
    }
}
