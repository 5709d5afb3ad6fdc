namespace IronCage.Samples.Tests;

/// <summary>
/// Runs every sample's entry point in-process, as `dotnet run` would with no arguments, and checks its exit code and the
/// lines a reader relies on. The samples need no network: providers are the loopback emulator or in-process fakes.
/// </summary>
public sealed class SampleTests
{
    [Fact]
    public async Task ConsoleScheduler_NoArguments_RotatesTwoKeysRemindsAboutGroqAndExits()
    {
        var (exitCode, output) = await RunAsync(ConsoleScheduler.Program.RunAsync);

        exitCode.Should().Be(0, output);
        output.Should().Contain("event rotation.started     openai/prod")
            .And.Contain("event rotation.overdue     groq/prod")
            .And.Contain("event rotation.completed   openrouter/prod")
            .And.Contain("event rotation.completed   openai/prod")
            .And.Contain("old OpenAI key still valid at the provider:     False")
            .And.Contain("old OpenRouter key still valid at the provider: False");
        output.Should().MatchRegex(@"2026-11-10T09:00:00Z\s+3\s+0\s+0\s+1\s+0", "the second pass starts three rotations and sends one reminder");
        output.Should().MatchRegex(@"2026-11-10T11:00:00Z\s+0\s+2\s+2\s+0\s+0", "the third pass finishes both grace periods");
    }

    [Fact]
    public async Task MinimalApi_NoArguments_ProxiesAChatReportsTheExpiringKeyAndListsMetrics()
    {
        var (exitCode, output) = await RunAsync(MinimalApi.Program.RunAsync);

        exitCode.Should().Be(0, output);
        output.Should().Contain("listening on http://127.0.0.1:")
            .And.Contain("POST /chat    -> 200 \"Hello from the IronCage emulator.\" (18 tokens)")
            .And.Contain("GET /health   -> 200 {\"status\":\"Degraded\"")
            .And.Contain("\"openai/batch\":\"current version")
            .And.Contain("ironcage.secret.operation.count");
        output.Should().NotContain("\"openai/prod\"", "the monthly key is neither overdue nor expiring");
    }

    [Fact]
    public async Task OpenAISdkHotSwap_NoArguments_BothCallsSucceedWithDifferentKeys()
    {
        var (exitCode, output) = await RunAsync(OpenAISdkHotSwap.Program.RunAsync);

        exitCode.Should().Be(0, output);
        output.Should().MatchRegex("call 1  key sk-\\S+\\s+status 200")
            .And.MatchRegex("call 2  key sk-\\S+\\s+status 200")
            .And.Contain("rotated Completed; the old key still works at the provider: False")
            .And.Contain("both calls succeeded with different keys through the same client");
    }

    [Fact]
    public async Task AnthropicSdk_NoArguments_BothCallsSucceedWithDifferentKeysAndUsageIsCounted()
    {
        var (exitCode, output) = await RunAsync(AnthropicSdk.Program.RunAsync);

        exitCode.Should().Be(0, output);
        output.Should().MatchRegex("call 1  key sk-\\S+\\s+reply \"Hello from the IronCage emulator.\"")
            .And.MatchRegex("call 2  key sk-\\S+\\s+reply")
            .And.Contain("rotated Completed; the old key still works at the provider: False")
            .And.Contain("usage   claude-sonnet-4-5: 2 requests")
            .And.Contain("both calls succeeded with different keys through the same client");
    }

    [Fact]
    public async Task CustomAdapter_NoArguments_RotatesTwiceThroughTheAcmeAdapter()
    {
        var (exitCode, output) = await RunAsync(CustomAdapter.Program.RunAsync);

        exitCode.Should().Be(0, output);
        output.Should().Contain("provider acme: Acme LLM, tier Automatic")
            .And.MatchRegex(@"rotation 1\s+Completed\s+acm\S+\s+1")
            .And.MatchRegex(@"rotation 2\s+Completed\s+acm\S+\s+1")
            .And.Contain("the first key still works at Acme: False")
            .And.Contain("calls Acme received: GET /v1/me, POST /v1/keys, DELETE /v1/keys/{id}");
    }

    [Fact]
    public async Task AdminHost_NoArguments_ChecksSessionBearerAndMfaRulesAndExits()
    {
        var (exitCode, output) = await RunAsync(AdminHost.Program.RunAsync);

        exitCode.Should().Be(0, output);
        output.Should().MatchRegex(@"dashboard: http://127\.0\.0\.1:\d+/ironcage")
            .And.Contain("GET /ironcage, no session               -> 302 to /signin")
            .And.Contain("GET /api/admin/api-keys, no token       -> 401")
            .And.Contain("GET /api/admin/api-keys as bob          -> 200 True: 2 keys")
            .And.Contain("emergency rotate as bob (no MFA)        -> 403")
            .And.Contain("rotate as alice                         -> 200");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(Func<string[], TextWriter, Task<int>> entryPoint)
    {
        using var output = new StringWriter();
        var exitCode = await entryPoint([], output).WaitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, output.ToString());
    }
}
