using IronCage.Conformance;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Secrets.Tests.Sources;

public sealed class DotEnvKeySourceTests
{
    [Fact]
    public async Task ReadAsync_KeyEntries_CarryFileAndLineInTheirOrigin_NeverTheValue()
    {
        using var dir = new TempDirectory();
        var openAi = FakeKeys.GenerateText(ProviderId.OpenAI);
        var azure = "0123456789abcdef0123456789abcdef";
        var path = dir.Write(".env", $"# keys\nDATABASE_URL=postgres://x\nexport OPENAI_API_KEY=\"{openAi}\"\n\nAZURE_OPENAI_API_KEY='{azure}'\nAZURE_OPENAI_ENDPOINT=https://r.openai.azure.com # the resource\n");

        var candidates = new List<KeyCandidate>();
        await foreach (var candidate in new DotEnvKeySource(path, Catalogs.BuiltIn).ReadAsync())
        {
            candidates.Add(candidate);
        }

        candidates.Select(c => c.Origin).Should().Equal($"{path}:3 OPENAI_API_KEY", $"{path}:5 AZURE_OPENAI_API_KEY");
        candidates[0].Secret.Matches(openAi).Should().BeTrue();
        candidates[1].Secret.Matches(azure).Should().BeTrue();
        candidates[1].Attributes.Should().ContainKey("AZURE_OPENAI_ENDPOINT").WhoseValue.Should().Be("https://r.openai.azure.com");
    }

    [Fact]
    public async Task ReadAsync_NameGivenTwice_YieldsTheLastEntry()
    {
        using var dir = new TempDirectory();
        var first = FakeKeys.GenerateText(ProviderId.Groq);
        var second = FakeKeys.GenerateText(ProviderId.Groq);
        var path = dir.Write(".env", $"GROQ_API_KEY={first}\nGROQ_API_KEY={second}\n");

        var candidates = new List<KeyCandidate>();
        await foreach (var candidate in new DotEnvKeySource(path, Catalogs.BuiltIn).ReadAsync())
        {
            candidates.Add(candidate);
        }

        candidates.Should().ContainSingle().Which.Secret.Matches(second).Should().BeTrue();
        candidates[0].Origin.Should().EndWith(":2 GROQ_API_KEY");
    }

    [Fact]
    public async Task ReadAsync_TheProcessEnvironment_IsNeverChanged()
    {
        using var dir = new TempDirectory();
        var name = "IRONCAGE_TEST_" + Guid.NewGuid().ToString("N").ToUpperInvariant() + "_API_KEY";
        var path = dir.Write(".env", $"{name}=value-0123456789abcdef\n");

        await foreach (var candidate in new DotEnvKeySource(path, Catalogs.BuiltIn).ReadAsync())
        {
            candidate.Dispose();
        }

        Environment.GetEnvironmentVariable(name).Should().BeNull();
    }

    [Fact]
    public async Task ReadAsync_MissingFile_Throws()
    {
        var act = async () =>
        {
            await foreach (var candidate in new DotEnvKeySource("/nonexistent/.env", Catalogs.BuiltIn).ReadAsync())
            {
                candidate.Dispose();
            }
        };

        await act.Should().ThrowAsync<KeySourceException>().WithMessage("*/nonexistent/.env*");
    }

    public sealed class Conformance : KeySourceConformanceTests
    {
        private readonly TempDirectory _dir = new();

        public override Task DisposeAsync()
        {
            _dir.Dispose();
            return Task.CompletedTask;
        }

        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
        {
            var text = "# written by the conformance suite\n" + string.Concat(entries.Select((e, i) => i % 2 == 0 ? $"export {e.Key}=\"{e.Value}\"\n\n" : $"{e.Key}='{e.Value}' # comment\n"));
            return Task.FromResult<IKeySource>(new DotEnvKeySource(_dir.Write(Guid.NewGuid().ToString("N") + ".env", text), Catalogs.BuiltIn));
        }
    }
}
