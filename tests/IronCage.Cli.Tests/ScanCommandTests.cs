using System.Diagnostics;
using System.Text.Json;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Cli.Tests;

public sealed class ScanCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Scan_DirectoryWithAManagedAndAnUnknownKey_ClassifiesBothExitsThreeAndNeverPrintsAValue()
    {
        var managed = FakeKeys.GenerateText(ProviderId.Groq);
        var unknown = FakeKeys.GenerateText(ProviderId.OpenAI);
        (await _sandbox.RunWithInputAsync(managed + "\n", "keys", "add", "groq/prod", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        var tree = Path.Combine(_sandbox.Directory, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "src"));
        await File.WriteAllTextAsync(Path.Combine(tree, "src", "config.py"), $"import os\nGROQ = \"{managed}\"\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "notes.txt"), $"old key: {unknown}\n");

        var table = await _sandbox.RunAsync("scan", tree);
        var json = await _sandbox.RunAsync("scan", tree, "--json");

        table.ExitCode.Should().Be(ExitCodes.Partial, table.All);
        table.Output.Should().Contain("managed-current").And.Contain("groq/prod").And.Contain("unknown").And.Contain("2 key(s) found");
        json.ExitCode.Should().Be(ExitCodes.Partial);
        using var document = JsonDocument.Parse(json.Output);
        var findings = document.RootElement.GetProperty("findings").EnumerateArray().ToList();
        findings.Select(f => (f.GetProperty("provider").GetString(), f.GetProperty("classification").GetString(), f.GetProperty("path").GetString(), f.GetProperty("line").GetInt32()))
            .Should().BeEquivalentTo([("openai", "unknown", "notes.txt", 1), ("groq", "managed-current", "src/config.py", 2)]);
        foreach (var run in new[] { table, json })
        {
            run.All.Should().NotContain(managed).And.NotContain(unknown);
        }
    }

    [Fact]
    public async Task Scan_LargeTreeAtATerminal_ShowsTheTextScannedAndTheRate()
    {
        var managed = FakeKeys.GenerateText(ProviderId.Groq);
        (await _sandbox.RunWithInputAsync(managed + "\n", "keys", "add", "groq/prod", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        var tree = Path.Combine(_sandbox.Directory, "big");
        Directory.CreateDirectory(tree);
        var line = "public static int Compute(int value) => value * 31 + 7; // the quick brown fox jumps over the lazy dog\n";
        var body = string.Concat(Enumerable.Repeat(line, 1_000));
        var leak = $"GROQ_API_KEY={managed}\n";
        // Enough text that the scan takes seconds even on an idle machine: with 40 MB it could finish between two
        // captures of the terminal, and the test saw no progress line at all.
        const int files = 1_500;
        for (var i = 0; i < files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(tree, $"file{i:D4}.cs"), i == files - 1 ? body + leak : body);
        }

        var megabytes = ((files * body.Length) + leak.Length) / 1_000_000.0;

        var (duringRun, final, exit) = await TmuxTerminal.RunAsync(_sandbox, $"scan {tree}", pane => System.Text.RegularExpressions.Regex.Match(pane, @"Scanning: \d+\.\d MB of text \(\d+\.\d MB/s\), (?<files>[1-9][\d,]*) files") is { Success: true } live && live.Groups["files"].Value != "1,500");

        exit.Should().Be("exit=3");
        duringRun.Should().NotBeNull("the text scanned so far and the rate are shown while the scan runs");
        final.Should().Contain("1 key(s) found").And.MatchRegex($@"Scanning: {megabytes.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture).Replace(".", "\\.", StringComparison.Ordinal)} MB of text \(\d+\.\d MB/s\), 1,500 files; 1 keys found");
        (duringRun + final).Should().NotContain(managed);
    }

    [Fact]
    public async Task ScanRespond_KeyWithAnAlertOnlyPolicyInConfiguration_IsAlertedNotRotated()
    {
        var managed = FakeKeys.GenerateText(ProviderId.Groq);
        (await _sandbox.RunWithInputAsync(managed + "\n", "keys", "add", "groq/batch", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        var file = Path.Combine(_sandbox.Directory, "leak.env");
        await File.WriteAllTextAsync(file, $"GROQ_API_KEY={managed}\n");
        _sandbox.Environment["IronCage__Leaks__Policies__groq/batch"] = "AlertOnly";

        var run = await _sandbox.RunAsync("scan", file, "--respond", "--json");

        run.ExitCode.Should().Be(ExitCodes.Partial, run.All);
        using var document = JsonDocument.Parse(run.Output);
        document.RootElement.GetProperty("findings").EnumerateArray().Should().ContainSingle().Which.GetProperty("response").GetString().Should().Be("Alerted");
        var rotations = await _sandbox.RunAsync("rotations", "list", "--json");
        rotations.ExitCode.Should().Be(ExitCodes.Ok, rotations.All);
        rotations.Output.Should().NotContain("groq/batch", "no rotation was started for a key whose policy is alert-only");
        run.All.Should().NotContain(managed);
    }

    [Fact]
    public async Task ScanRespond_UnknownPolicyName_StopsWithAUsageErrorNamingTheEntry()
    {
        _sandbox.Environment["IronCage__Leaks__Policies__groq/batch"] = "RotateSometimes";
        var file = Path.Combine(_sandbox.Directory, "clean.txt");
        await File.WriteAllTextAsync(file, "nothing here\n");

        var run = await _sandbox.RunAsync("scan", file, "--respond");

        run.ExitCode.Should().Be(ExitCodes.UsageError, run.All);
        run.Error.Should().Contain("IronCage:Leaks:Policies:groq/batch is 'RotateSometimes'").And.Contain("AlertOnly, EmergencyRotation, RevokeFirstRotation");
    }

    [Fact]
    public async Task Scan_CleanFile_ExitsZero()
    {
        var file = Path.Combine(_sandbox.Directory, "clean.txt");
        await File.WriteAllTextAsync(file, "id 123e4567-e89b-12d3-a456-426614174000, sha 3f7d519c0b353e3a9d8bac1f6f8f8cd0f92aaaa\n");

        var run = await _sandbox.RunAsync("scan", file);

        run.ExitCode.Should().Be(ExitCodes.Ok, run.All);
        run.Output.Should().Contain("No keys found.");
    }

    [Fact]
    public async Task ScanGit_KeyCommittedThenRemoved_IsFoundWithItsCommit()
    {
        var key = FakeKeys.GenerateText(ProviderId.Anthropic);
        var repo = Path.Combine(_sandbox.Directory, "repo");
        Directory.CreateDirectory(repo);
        Git(repo, "init", "-q");
        await File.WriteAllTextAsync(Path.Combine(repo, ".env"), $"ANTHROPIC_API_KEY={key}\n");
        Git(repo, "add", ".");
        Git(repo, "commit", "-q", "-m", "add env");
        File.Delete(Path.Combine(repo, ".env"));
        Git(repo, "commit", "-q", "-a", "-m", "remove env");

        var files = await _sandbox.RunAsync("scan", repo);
        var history = await _sandbox.RunAsync("scan", repo, "--git", "--json");

        files.ExitCode.Should().Be(ExitCodes.Ok, files.All);
        history.ExitCode.Should().Be(ExitCodes.Partial, history.All);
        using var document = JsonDocument.Parse(history.Output);
        var finding = document.RootElement.GetProperty("findings").EnumerateArray().Should().ContainSingle().Subject;
        finding.GetProperty("provider").GetString().Should().Be("anthropic");
        finding.GetProperty("commit").GetString().Should().NotBeNullOrEmpty();
        history.All.Should().NotContain(key);
    }

    [Fact]
    public async Task ScanReport_GitleaksReportWithRespond_AlertsForTheUnknownKey()
    {
        var key = FakeKeys.GenerateText(ProviderId.OpenAI);
        var report = Path.Combine(_sandbox.Directory, "gitleaks.json");
        await File.WriteAllTextAsync(report, JsonSerializer.Serialize(new[]
        {
            new Dictionary<string, object> { ["RuleID"] = "openai-api-key", ["Secret"] = key, ["Match"] = key, ["File"] = "app/settings.py", ["StartLine"] = 7, ["Commit"] = "3f7d519c0b353e3a9d8bac1f6f8f8cd0f92aaaaa" },
        }));

        var run = await _sandbox.RunAsync("scan", "--report", "gitleaks", report, "--respond", "--json");

        run.ExitCode.Should().Be(ExitCodes.Partial, run.All);
        using var document = JsonDocument.Parse(run.Output);
        var finding = document.RootElement.GetProperty("findings").EnumerateArray().Should().ContainSingle().Subject;
        finding.GetProperty("classification").GetString().Should().Be("unknown");
        finding.GetProperty("response").GetString().Should().Be("Alerted");
        run.All.Should().NotContain(key);
    }

    [Fact]
    public async Task Scan_NoPathAndNoReport_IsAUsageError()
    {
        var run = await _sandbox.RunAsync("scan");

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().Contain("--report");
    }

    private static void Git(string repository, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        process.ExitCode.Should().Be(0, process.StandardError.ReadToEnd());
    }
}
