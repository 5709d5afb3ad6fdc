using System.Security.Cryptography;
using IronCage.Encryption;
using Microsoft.Extensions.Options;

namespace IronCage.Core.Tests.Encryption;

public sealed class LocalMasterKeyProviderTests
{
    private static LocalMasterKeyProvider Create(LocalMasterKeyOptions options, Dictionary<string, string>? environment = null)
        => new(options, name => environment is not null && environment.TryGetValue(name, out var value) ? value : null);

    [Fact]
    public void NoKeyAnywhere_FailsWithHowToFix()
    {
        var act = () => Create(new LocalMasterKeyOptions());
        act.Should().Throw<OptionsValidationException>().WithMessage("*IRONCAGE_MASTER_KEY*openssl rand -base64 32*never generates*");
    }

    [Theory]
    [InlineData("not base64 at all!", "*not valid base64*")]
    [InlineData("c2hvcnQ=", "*is 5 bytes long*exactly 32 bytes*")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "*repeats a single byte*")]
    [InlineData("", "*MasterKey option is empty*")]
    public void BadOptionKey_FailsWithHowToFix(string value, string message)
    {
        var act = () => Create(new LocalMasterKeyOptions { MasterKey = value });
        act.Should().Throw<OptionsValidationException>().WithMessage(message);
    }

    [Fact]
    public void Failures_NeverEchoTheKey()
    {
        var almost = Convert.ToBase64String(RandomNumberGenerator.GetBytes(31));
        var act = () => Create(new LocalMasterKeyOptions { MasterKey = almost });
        act.Should().Throw<OptionsValidationException>().Which.Message.Should().NotContain(almost[..20]);
    }

    [Fact]
    public void EnvironmentVariable_IsUsedWhenNothingElseIsSet()
    {
        var key = LocalMasterKeyProvider.GenerateMasterKey();
        using var provider = Create(new LocalMasterKeyOptions(), new Dictionary<string, string> { ["IRONCAGE_MASTER_KEY"] = key });
        using var same = Create(new LocalMasterKeyOptions { MasterKey = key });
        provider.CurrentKeyId.Should().Be(same.CurrentKeyId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ProtectKeysWithMasterKey_NotSet_KeepsTheEnvironmentVariableFallbackItsErrorNames(string? configured)
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.IronCageServiceCollectionExtensions.AddIronCage(services).ProtectKeysWithMasterKey(configured);
        using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var options = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IOptions<LocalMasterKeyOptions>>(provider).Value;

        options.MasterKey.Should().BeNull("an unset configuration value is no key of its own");
        using var fromEnvironment = Create(options, new Dictionary<string, string> { ["IRONCAGE_MASTER_KEY"] = LocalMasterKeyProvider.GenerateMasterKey() });
        var act = () => Create(options);
        act.Should().Throw<OptionsValidationException>().WithMessage("*IRONCAGE_MASTER_KEY environment variable*");
    }

    [Fact]
    public void File_IsReadAndTrimmed()
    {
        var key = LocalMasterKeyProvider.GenerateMasterKey();
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, key + "\n");
            using var provider = Create(new LocalMasterKeyOptions { MasterKeyFile = path });
            using var same = Create(new LocalMasterKeyOptions { MasterKey = key });
            provider.CurrentKeyId.Should().Be(same.CurrentKeyId);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingFile_FailsNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "ironcage-no-such-" + Guid.NewGuid().ToString("N"));
        var act = () => Create(new LocalMasterKeyOptions { MasterKeyFile = path });
        act.Should().Throw<OptionsValidationException>().WithMessage($"*'{path}' cannot be read*");
    }

    [Fact]
    public void BadRetiredKey_IsNamed()
    {
        var options = new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() };
        options.RetiredMasterKeys.Add("c2hvcnQ=");
        var act = () => Create(options);
        act.Should().Throw<OptionsValidationException>().WithMessage("*retired master key #1*");
    }

    [Fact]
    public async Task Unwrap_UnknownKekId_SaysWhichAreConfigured()
    {
        using var provider = Create(new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() });
        var act = async () => await provider.UnwrapKeyAsync(new WrappedKey("local-0000000000000000", new byte[60]));
        await act.Should().ThrowAsync<SecretDecryptionException>().WithMessage($"*'local-0000000000000000' is not configured*{provider.CurrentKeyId}*");
    }

    [Fact]
    public async Task WrapUnwrap_ManyThreadsAtOnce_EveryDataKeyComesBackIntact()
    {
        using var provider = Create(new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() });

        // More concurrent calls than the provider keeps ready ciphers for (2 per processor, at least 4).
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                var dataKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
                var wrapped = await provider.WrapKeyAsync(dataKey);
                if (!(await provider.UnwrapKeyAsync(wrapped)).AsSpan().SequenceEqual(dataKey))
                {
                    return false;
                }
            }

            return true;
        })));

        results.Should().AllSatisfy(ok => ok.Should().BeTrue());
    }

    [Fact]
    public void GenerateMasterKey_Makes32RandomBytes()
    {
        var a = Convert.FromBase64String(LocalMasterKeyProvider.GenerateMasterKey());
        var b = Convert.FromBase64String(LocalMasterKeyProvider.GenerateMasterKey());
        a.Should().HaveCount(32);
        a.Should().NotEqual(b);
    }
}

public sealed class LocalMasterKeyProviderDisposalTests
{
    [Fact]
    public async Task Dispose_StopsWrappingAndUnwrapping()
    {
        var provider = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() }));
        var wrapped = await provider.WrapKeyAsync(new byte[32]);
        provider.Dispose();

        var wrap = async () => await provider.WrapKeyAsync(new byte[32]);
        var unwrap = async () => await provider.UnwrapKeyAsync(wrapped);
        await wrap.Should().ThrowAsync<ObjectDisposedException>();
        await unwrap.Should().ThrowAsync<ObjectDisposedException>();
        provider.Dispose();
    }
}
