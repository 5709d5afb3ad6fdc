using System.Diagnostics;
using System.Text.Json;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IronCage.Cli.Tests;

public sealed class BulkRotationTests(ITestOutputHelper log) : IAsyncLifetime, IDisposable
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
    public async Task RotateAll_WithoutATerminal_RotatesEveryMatchingKeyAndReportsTheCount()
    {
        await SeedAsync(5, label: "prod");
        await SeedAsync(2, label: "staging", offset: 5);

        var dry = await _sandbox.RunAsync("keys", "rotate-all", "--label", "env=prod", "--dry-run", "--json");
        var rotated = await _sandbox.RunAsync("keys", "rotate-all", "--label", "env=prod", "--yes", "--json");
        var staging = await _sandbox.RunAsync("keys", "show", "openai/key-5", "--json");

        using (var json = JsonDocument.Parse(dry.Output))
        {
            json.RootElement.GetProperty("total").GetInt32().Should().Be(5);
        }

        rotated.ExitCode.Should().Be(ExitCodes.Ok, rotated.All);
        using (var json = JsonDocument.Parse(rotated.Output))
        {
            json.RootElement.GetProperty("rotated").GetInt32().Should().Be(5);
            json.RootElement.GetProperty("failed").GetArrayLength().Should().Be(0);
        }

        using (var json = JsonDocument.Parse(staging.Output))
        {
            json.RootElement.GetProperty("history").GetArrayLength().Should().Be(1, "keys the filter left out are not rotated");
        }
    }

    [Fact]
    public async Task RotateAll_WithoutYesAndWithoutATerminal_ChangesNothing()
    {
        await SeedAsync(2, label: "prod");

        var run = await _sandbox.RunAsync("keys", "rotate-all");

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().Contain("--yes");
    }

    [Fact]
    public async Task RotateAll_OfAThousandKeysAtATerminal_ShowsAProgressBarWithCountAndRate()
    {
        await SeedAsync(1000, label: "prod");

        var (duringRun, final, exit) = await TmuxTerminal.RunAsync(_sandbox, "keys rotate-all --yes --parallel 8", pane => pane.Contains("Rotating ", StringComparison.Ordinal) && pane.Contains("/1000", StringComparison.Ordinal) && !pane.Contains("Rotating 0/1000", StringComparison.Ordinal));

        log.WriteLine("During the run:\n" + duringRun + "\nAt the end:\n" + final);
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "bulk-rotation-terminal.txt"), "During the run:\n" + duringRun + "\nAt the end:\n" + final);
        exit.Should().Be("exit=0");
        duringRun.Should().NotBeNull("a progress bar with the count is shown while the rotation runs").And.MatchRegex(@"Rotating \d+/1000 \(\d+\.\d/s\)").And.Contain("%");
        final.Should().Contain("Rotated 1000 of 1000 key(s)");
    }

    private async Task SeedAsync(int count, string label, int offset = 0)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(_sandbox.MasterKey).PersistToSqlite(_sandbox.ConnectionString)
            .AddOpenAI("openai", o => { o.BaseAddress = _emulator.OpenAI.BaseAddress; o.AdminKey = _emulator.OpenAI.AdminKey; })
            .AddRotation();
        await using var provider = services.BuildServiceProvider();
        var rotator = provider.GetRequiredService<IKeyRotator>();
        for (var i = offset; i < offset + count; i++)
        {
            var seeded = _emulator.OpenAI.AddProjectKey($"key-{i}");
            using var secret = seeded.ToSecretValue();
            await rotator.RegisterAsync(
                new KeyRegistration
                {
                    Reference = KeyReference.Parse($"openai/key-{i}"),
                    Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId },
                    Labels = new Dictionary<string, string> { ["env"] = label },
                    ProviderKeyId = seeded.Id,
                    Verify = false,
                },
                secret);
        }
    }
}
