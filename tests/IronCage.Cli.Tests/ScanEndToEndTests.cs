using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IronCage.Testing.Emulator;
using Xunit.Abstractions;

namespace IronCage.Cli.Tests;

/// <summary>A managed key committed into a git repository → history scan → emergency rotation → the emulator rejects the key.</summary>
public sealed class ScanEndToEndTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private readonly CliSandbox _sandbox = new();
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ProviderEmulator.StartAsync();
        _sandbox.Environment["IronCage__OpenAI__BaseAddress"] = _emulator.OpenAI.BaseAddress.ToString();
        _sandbox.Environment["IronCage__OpenAI__AdminKey"] = _emulator.OpenAI.AdminKey;
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task ScanGitRespond_ManagedKeyCommittedToARepository_IsRotatedAndTheLeakedKeyIsRejected()
    {
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        var added = await _sandbox.RunWithInputAsync(seeded.Secret, "keys", "add", "openai/prod", "--scope", "project_id=" + EmulatorConstants.OpenAIProjectId, "--provider-key-id", seeded.Id);
        added.ExitCode.Should().Be(ExitCodes.Ok, added.All);
        var repo = Path.Combine(_sandbox.Directory, "repo");
        Directory.CreateDirectory(repo);
        Git(repo, "init", "-q");
        await File.WriteAllTextAsync(Path.Combine(repo, "settings.py"), $"OPENAI_API_KEY = \"{seeded.Secret}\"\n");
        Git(repo, "add", ".");
        Git(repo, "commit", "-q", "-m", "settings");
        using var http = new HttpClient();
        (await ChatAsync(http, seeded.Secret)).Should().Be(HttpStatusCode.OK, "the key works before the leak is handled");

        var clock = Stopwatch.StartNew();
        var scan = await _sandbox.RunAsync("scan", repo, "--git", "--respond", "--json");
        var status = await ChatAsync(http, seeded.Secret);
        clock.Stop();
        output.WriteLine($"scan start to rejection: {clock.Elapsed.TotalMilliseconds:F0} ms (the CLI run in-process: host start, SQLite store, git log, emergency rotation at the emulator, one rejected chat request)");

        scan.ExitCode.Should().Be(ExitCodes.Partial, scan.All);
        using var document = JsonDocument.Parse(scan.Output);
        var finding = document.RootElement.GetProperty("findings").EnumerateArray().Should().ContainSingle().Subject;
        finding.GetProperty("classification").GetString().Should().Be("managed-current");
        finding.GetProperty("key").GetString().Should().Be("openai/prod");
        finding.GetProperty("response").GetString().Should().Be("Rotated");
        status.Should().Be(HttpStatusCode.Unauthorized);
        _emulator.OpenAI.IsValid(seeded.Secret).Should().BeFalse();
        var audit = await _sandbox.RunAsync("audit", "list", "--target", "openai/prod", "--json");
        audit.Output.Should().Contain("key.leaked");
        foreach (var run in new[] { added, scan, audit })
        {
            run.All.Should().NotContain(seeded.Secret);
        }
    }

    private async Task<HttpStatusCode> ChatAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_emulator.OpenAI.BaseAddress, "chat/completions"))
        {
            Content = new StringContent("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
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
