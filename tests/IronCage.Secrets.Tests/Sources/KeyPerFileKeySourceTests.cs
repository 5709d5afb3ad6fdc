using IronCage.Conformance;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Secrets.Tests.Sources;

public sealed class KeyPerFileKeySourceTests
{
    private static async Task<List<KeyCandidate>> ReadAsync(string directory)
    {
        var list = new List<KeyCandidate>();
        await foreach (var candidate in new KeyPerFileKeySource(directory, Catalogs.BuiltIn).ReadAsync())
        {
            list.Add(candidate);
        }

        return list;
    }

    [Fact]
    public async Task ReadAsync_DockerSecretsDirectory_EachFileIsACandidate_DotfilesAndDirectoriesSkipped()
    {
        using var dir = new TempDirectory();
        var key = FakeKeys.GenerateText(ProviderId.Anthropic);
        dir.Write("anthropic_api_key", key + "\n");
        dir.Write(".hidden", "x-0123456789abcdef");
        Directory.CreateDirectory(dir.File("nested"));
        File.WriteAllText(Path.Combine(dir.File("nested"), "OPENAI_API_KEY"), FakeKeys.GenerateText(ProviderId.OpenAI));

        var candidates = await ReadAsync(dir.Path);

        var found = candidates.Should().ContainSingle().Which;
        found.Name.Should().Be("anthropic_api_key");
        found.Origin.Should().Be("file:" + dir.File("anthropic_api_key"));
        found.Secret.Matches(key).Should().BeTrue();
    }

    [Fact]
    public async Task ReadAsync_CompanionFiles_BecomeAttributesOfTheirKey()
    {
        using var dir = new TempDirectory();
        dir.Write("azure-openai-api-key", "0123456789abcdef0123456789abcdef");
        dir.Write("azure_openai_endpoint", "https://r.openai.azure.com\n");

        var candidates = await ReadAsync(dir.Path);

        candidates.Should().ContainSingle().Which.Attributes.Should().ContainKey("AZURE_OPENAI_ENDPOINT").WhoseValue.Should().Be("https://r.openai.azure.com");
    }

    [Fact]
    public async Task ReadAsync_KubernetesSecretVolume_ReadsThroughDataLinkOnly()
    {
        var first = FakeKeys.GenerateText(ProviderId.OpenAI);
        using var volume = new KubernetesSecretVolume(new Dictionary<string, string> { ["OPENAI_API_KEY"] = first });
        var second = FakeKeys.GenerateText(ProviderId.OpenAI);
        volume.Update(new Dictionary<string, string> { ["OPENAI_API_KEY"] = second });

        var candidates = await ReadAsync(volume.Path);

        var found = candidates.Should().ContainSingle("the ..data link and the timestamped directory are not values").Which;
        found.Name.Should().Be("OPENAI_API_KEY");
        found.Secret.Matches(second).Should().BeTrue();
    }

    [Fact]
    public async Task ReadAsync_MissingDirectory_Throws()
    {
        var act = () => ReadAsync("/nonexistent/ironcage/secrets");

        await act.Should().ThrowAsync<KeySourceException>().WithMessage("*/nonexistent/ironcage/secrets*");
    }

    public sealed class PlainDirectoryConformance : KeySourceConformanceTests
    {
        private readonly List<TempDirectory> _dirs = [];

        public override Task DisposeAsync()
        {
            _dirs.ForEach(d => d.Dispose());
            return Task.CompletedTask;
        }

        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
        {
            var dir = new TempDirectory();
            _dirs.Add(dir);
            foreach (var (name, value) in entries)
            {
                dir.Write(name.ToLowerInvariant(), value + "\n");
            }

            return Task.FromResult<IKeySource>(new KeyPerFileKeySource(dir.Path, Catalogs.BuiltIn));
        }
    }

    public sealed class KubernetesVolumeConformance : KeySourceConformanceTests
    {
        private readonly List<KubernetesSecretVolume> _volumes = [];

        public override Task DisposeAsync()
        {
            _volumes.ForEach(v => v.Dispose());
            return Task.CompletedTask;
        }

        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
        {
            var volume = new KubernetesSecretVolume(entries);
            _volumes.Add(volume);
            return Task.FromResult<IKeySource>(new KeyPerFileKeySource(volume.Path, Catalogs.BuiltIn));
        }
    }
}
