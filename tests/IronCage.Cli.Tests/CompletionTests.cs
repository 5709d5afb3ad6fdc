namespace IronCage.Cli.Tests;

public sealed class CompletionTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task SuggestDirective_AfterKeys_OffersTheKeysSubcommands()
    {
        var run = await _sandbox.RunAsync("[suggest:5]", "keys ");

        run.ExitCode.Should().Be(ExitCodes.Ok, run.All);
        run.Output.Split('\n', StringSplitOptions.TrimEntries).Should().Contain(["add", "list", "rotate", "rotate-all", "kill"]);
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _ironcage_complete ironcage")]
    [InlineData("zsh", "compdef _ironcage_complete ironcage")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName ironcage")]
    public async Task Completion_PrintsAScriptThatAsksTheToolForSuggestions(string shell, string registration)
    {
        var run = await _sandbox.RunAsync("completion", shell);

        run.ExitCode.Should().Be(ExitCodes.Ok, run.All);
        run.Output.Should().Contain(registration).And.Contain("[suggest:");
    }
}
