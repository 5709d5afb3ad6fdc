
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
    }
}
