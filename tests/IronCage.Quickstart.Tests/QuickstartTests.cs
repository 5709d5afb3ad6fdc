
namespace IronCage.Samples.Quickstart.Tests;

/// <summary>The README's first command: the quickstart runs to the end on a machine with nothing configured.</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task RunAsync_NothingConfigured_RotatesAndTheOldKeyIsRejected()
    {
        using var output = new StringWriter();

        var exitCode = await Quickstart.RunAsync([], output);

        var text = output.ToString();
        exitCode.Should().Be(0, text);
        text.Should().Contain("DEMO ONLY");
        text.Should().Contain("operation rot_").And.Contain(": GracePeriod");
        text.Should().MatchRegex(@"old key \S+\s+valid", "both keys work during the grace period");
        text.Should().MatchRegex(@"old key \S+\s+rejected \(InvalidKey, HTTP 401\)");
        text.Should().Contain("hash chain: verified");
        text.Should().NotContain("   at ", "the walkthrough prints no stack trace");
        text.Should().Contain("5. Usage and cost").And.MatchRegex(@"gpt-4o-mini\s+2\s+22\s+14");
    }

    [Fact]
    public async Task RunAsync_RealWithoutConfirmation_ExplainsAndChangesNothing()
    {
        using var output = new StringWriter();

        var exitCode = await Quickstart.RunAsync(["--real"], output);

        exitCode.Should().Be(2);
        output.ToString().Should().Contain("--real");
    }

    [Fact]
    public async Task RunAsync_RealModeAgainstAnOpenAICompatibleEndpoint_RunsTheSameWalkthrough()
    {
        // The real mode reads everything from the environment; OPENAI_BASE_URL points it at an emulator here, so the
        // test exercises the same code path without the internet.
        await using var emulator = await IronCage.Testing.Emulator.ProviderEmulator.StartAsync();
        var key = emulator.OpenAI.AddProjectKey("prod");
        var variables = new Dictionary<string, string>
        {
            ["OPENAI_ADMIN_KEY"] = emulator.OpenAI.AdminKey,
            ["OPENAI_PROJECT_ID"] = IronCage.Testing.Emulator.EmulatorConstants.OpenAIProjectId,
            ["OPENAI_API_KEY"] = key.Secret,
            ["OPENAI_BASE_URL"] = emulator.OpenAI.BaseAddress.ToString(),
        };
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        try
        {
            using var output = new StringWriter();

            var exitCode = await Quickstart.RunAsync(["--real", "--confirm"], output);

            exitCode.Should().Be(0, output.ToString());
            output.ToString().Should().Contain("(OpenAI)").And.MatchRegex(@"old key \S+\s+rejected");
            emulator.OpenAI.IsValid(key.Secret).Should().BeFalse("the rotated key was deleted at the provider");
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }
}
