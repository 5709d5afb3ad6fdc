namespace IronCage.Docs.Tests;

/// <summary>Every C# block a reader sees compiles against the packages as they are.</summary>
public sealed class DocsSnippetTests
{
    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var snippet in DocsSnippets.All())
        {
            data.Add(snippet.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_AsPastedIntoANewWebProject_Compiles(string location)
    {
        var snippet = DocsSnippets.All().Single(s => s.ToString() == location);

        SnippetCompiler.Errors(snippet).Should().BeEmpty($"the block at {location} is what a reader pastes:\n{snippet.Code}");
    }

    [Fact]
    public void Pages_TheReadmeAndDocs_HoldCSharpBlocks()
    {
        // Guards the discovery itself: if the fence parsing broke, the theory above would silently test nothing.
        DocsSnippets.All().Should().Contain(s => s.File == "README.md")
            .And.Contain(s => s.File.StartsWith("docs/", StringComparison.Ordinal))
            .And.Contain(s => s.File.StartsWith("src/", StringComparison.Ordinal));
    }

    [Fact]
    public void Compiler_ASnippetWithAnError_ReportsIt()
    {
        var broken = new DocsSnippet("test.md", 1, "using IronCage;\nvar x = new ThisTypeDoesNotExist();\n");

        SnippetCompiler.Errors(broken).Should().ContainSingle().Which.Should().Contain("CS0246");
    }
}
