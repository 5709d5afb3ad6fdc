using IronCage.Conformance;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Secrets.Tests.Targets;

public sealed class DotEnvKeyTargetTests : KeyDistributionTargetConformanceTests
{
    private const string Template = "# Service settings\nexport DATABASE_URL=postgres://db/app # primary\n\nexport OPENAI_API_KEY=\"placeholder-old\"\nLOG_LEVEL=info\n";
    private readonly TempDirectory _dir = new();

    private string FilePath => _dir.File(".env");

    public override Task InitializeAsync()
    {
        File.WriteAllText(FilePath, Template);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DistributeAsync_OtherLinesAndComments_AreKept_ExportPrefixToo()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        File.ReadAllText(FilePath).Should().Be(Template.Replace("\"placeholder-old\"", secret.Reveal()));
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(FilePath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.GetFileSystemEntries(_dir.Path).Should().Equal(FilePath);
    }

    [Fact]
    public async Task DistributeAsync_MissingEntry_IsAppended()
    {
        File.WriteAllText(FilePath, "A=1");
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        File.ReadAllText(FilePath).Should().Be($"A=1\nOPENAI_API_KEY={secret.Reveal()}\n");
    }

    [Fact]
    public async Task DistributeAsync_MultiLineEntry_IsReplacedWhole()
    {
        File.WriteAllText(FilePath, "A=1\nOPENAI_API_KEY=\"line1\nline2\"\nB=2\n");
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        File.ReadAllText(FilePath).Should().Be($"A=1\nOPENAI_API_KEY={secret.Reveal()}\nB=2\n");
    }

    [Fact]
    public async Task DistributeAsync_ValueThatNeedsQuotes_IsQuotedAndReadsBackTheSame()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = SecretValue.FromString("odd value \"with\" $HOME and \\ # hash");

        await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        (await ReadHeldValueAsync()).Should().Be(secret.Reveal());
    }

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key)
        => Task.FromResult<IKeyDistributionTarget>(new DotEnvKeyTarget(new DotEnvKeyTargetOptions { Path = FilePath, Key = key, VariableName = "OPENAI_API_KEY" }));

    protected override Task<string?> ReadHeldValueAsync()
    {
        var entry = DotEnvParser.Parse(File.ReadAllText(FilePath), FilePath, expandVariables: false).LastOrDefault(e => e.Name == "OPENAI_API_KEY");
        return Task.FromResult(entry.Value is null ? null : new string(entry.Value));
    }
}
