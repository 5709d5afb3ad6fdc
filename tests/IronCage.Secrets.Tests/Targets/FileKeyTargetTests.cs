using IronCage.Conformance;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Secrets.Tests.Targets;

public sealed class FileKeyTargetTests : KeyDistributionTargetConformanceTests
{
    private readonly TempDirectory _dir = new();

    private string FilePath => _dir.File("openai_api_key");

    public override Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DistributeAsync_File_IsMode0600AndNoTemporaryFileIsLeft()
    {
        var target = await CreateTargetAsync(KeyReference);
        File.WriteAllText(FilePath, "old-value-0123456789");
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(FilePath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Directory.GetFileSystemEntries(_dir.Path).Should().Equal(FilePath);
        File.ReadAllText(FilePath).Should().Be(secret.Reveal(), "the file holds the value alone, without a line break");
    }

    [Fact]
    public async Task DistributeAsync_FileWithTrailingNewline_IsAlreadyCurrent()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        File.WriteAllText(FilePath, secret.Reveal() + "\n");

        var receipt = await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        receipt.AlreadyCurrent.Should().BeTrue();
    }

    [Fact]
    public async Task AppliesTo_AnotherKey_IsFalse()
    {
        var target = await CreateTargetAsync(KeyReference);

        target.AppliesTo(new ManagedKey { Reference = new KeyReference(ProviderId.OpenAI, "other"), CreatedAt = default }).Should().BeFalse();
    }

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key)
        => Task.FromResult<IKeyDistributionTarget>(new FileKeyTarget(new FileKeyTargetOptions { Path = FilePath, Key = key }));

    protected override Task<string?> ReadHeldValueAsync()
        => Task.FromResult(File.Exists(FilePath) ? File.ReadAllText(FilePath) : null);
}
