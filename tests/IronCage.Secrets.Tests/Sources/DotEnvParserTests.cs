namespace IronCage.Secrets.Tests.Sources;

public sealed class DotEnvParserTests
{
    private static Dictionary<string, (string Value, int Line, int EndLine)> Parse(string text, bool expand = false, Func<string, string?>? outside = null)
        => DotEnvParser.Parse(text, ".env", expand, outside).ToDictionary(e => e.Name, e => (new string(e.Value), e.Line, e.EndLine));

    [Fact]
    public void Parse_CommentsBlankLinesAndExport_AreHandled()
    {
        var entries = Parse("# a comment\n\nexport A=1\n  B = two  \nexport\tC=3 # trailing comment\nD=a#b\n");

        entries.Should().HaveCount(4);
        entries["A"].Should().Be(("1", 3, 3));
        entries["B"].Value.Should().Be("two");
        entries["C"].Value.Should().Be("3");
        entries["D"].Value.Should().Be("a#b", "a '#' without a space before it is part of the value");
    }

    [Fact]
    public void Parse_SingleQuotes_AreLiteral()
    {
        var entries = Parse("A='a \\n $B ${B} \" # not a comment'\n");

        entries["A"].Value.Should().Be("a \\n $B ${B} \" # not a comment");
    }

    [Fact]
    public void Parse_DoubleQuotes_ProcessEscapes()
    {
        var entries = Parse("A=\"line1\\nline2\\t\\\"q\\\" \\\\ \\$HOME\" # comment\n");

        entries["A"].Value.Should().Be("line1\nline2\t\"q\" \\ $HOME");
    }

    [Fact]
    public void Parse_MultiLineQuotedValue_SpansLinesAndKeepsLineNumbers()
    {
        var entries = Parse("A=1\nCERT=\"-----BEGIN-----\nabc\n-----END-----\"\nB='x\ny'\nC=3\n");

        entries["CERT"].Should().Be(("-----BEGIN-----\nabc\n-----END-----", 2, 4));
        entries["B"].Should().Be(("x\ny", 5, 6));
        entries["C"].Should().Be(("3", 7, 7));
    }

    [Fact]
    public void Parse_CrLfLineEnds_AreNotPartOfValues()
    {
        var entries = Parse("A=1\r\nB=\"2\"\r\nC='3'\r\n");

        entries["A"].Value.Should().Be("1");
        entries["B"].Value.Should().Be("2");
        entries["C"].Should().Be(("3", 3, 3));
    }

    [Fact]
    public void Parse_Expansion_IsOffByDefault()
    {
        var entries = Parse("A=1\nB=${A}\nC=\"${A}x\"\n");

        entries["B"].Value.Should().Be("${A}");
        entries["C"].Value.Should().Be("${A}x");
    }

    [Fact]
    public void Parse_ExpansionOn_UsesEarlierEntriesThenTheOutside_NeverInSingleQuotesOrEscaped()
    {
        var entries = Parse("A=1\nB=${A}-${OUT}-${NONE}\nC=\"${A}x\"\nD='${A}'\nE=\"\\${A}\"\n", expand: true, outside: n => n == "OUT" ? "o" : null);

        entries["B"].Value.Should().Be("1-o-");
        entries["C"].Value.Should().Be("1x");
        entries["D"].Value.Should().Be("${A}");
        entries["E"].Value.Should().Be("${A}");
    }

    [Fact]
    public void Parse_EmptyValues_AreEmpty()
    {
        var entries = Parse("A=\nB=\"\"\nC=''\n");

        entries.Values.Select(v => v.Value).Should().AllBe(string.Empty);
    }

    [Theory]
    [InlineData("A=\"sk-secret-value-1234\n", 1, "never closed")]
    [InlineData("X=1\nnot a line\n", 2, "no '='")]
    [InlineData("1A=sk-secret-value-1234\n", 1, "not a variable name")]
    [InlineData("A=\"sk-secret-value-1234\" trailing\n", 1, "after the closing quote")]
    public void Parse_MalformedLine_ThrowsWithTheLineNumberAndNoValue(string text, int line, string reason)
    {
        var act = () => DotEnvParser.Parse(text, "app.env", expandVariables: false);

        var thrown = act.Should().Throw<KeySourceException>().Which;
        thrown.Message.Should().Contain($"app.env:{line}").And.Contain(reason).And.NotContain("sk-secret-value-1234");
    }
}
