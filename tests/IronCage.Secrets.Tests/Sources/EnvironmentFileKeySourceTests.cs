using IronCage.Conformance;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Secrets.Tests.Sources;

public sealed class EnvironmentFileKeySourceTests
{
    [Fact]
    public async Task ReadAsync_FileVariable_ReadsTheFileWithTrailingNewlinesTrimmed()
    {
        using var dir = new TempDirectory();
        var key = FakeKeys.GenerateText(ProviderId.OpenAI);
        var path = dir.Write("openai", key + "\r\n\n");
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string> { ["OPENAI_API_KEY_FILE"] = path, ["HOME_FILE"] = path });

        var candidates = new List<KeyCandidate>();
        await foreach (var candidate in new EnvironmentFileKeySource(Catalogs.BuiltIn, env).ReadAsync())
        {
            candidates.Add(candidate);
        }

        var found = candidates.Should().ContainSingle().Which;
        found.Name.Should().Be("OPENAI_API_KEY");
        found.Origin.Should().Be($"env:OPENAI_API_KEY_FILE ({path})");
        found.Secret.Matches(key).Should().BeTrue();
    }

    [Fact]
    public async Task ReadAsync_MissingFile_ThrowsNamingTheVariableAndPath()
    {
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string> { ["OPENAI_API_KEY_FILE"] = "/nonexistent/ironcage/openai" });

        var act = async () =>
        {
            await foreach (var candidate in new EnvironmentFileKeySource(Catalogs.BuiltIn, env).ReadAsync())
            {
                candidate.Dispose();
            }
        };

        (await act.Should().ThrowAsync<KeySourceException>()).Which.Message.Should().Contain("OPENAI_API_KEY_FILE").And.Contain("/nonexistent/ironcage/openai");
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
            var variables = entries.ToDictionary(e => e.Key + "_FILE", e => _dir.Write(Guid.NewGuid().ToString("N"), e.Value + "\n"));
            return Task.FromResult<IKeySource>(new EnvironmentFileKeySource(Catalogs.BuiltIn, new DictionaryEnvironmentVariables(variables)));
        }
    }
}
