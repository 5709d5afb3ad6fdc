using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Encryption.AwsKms.Tests;

/// <summary>A store on an SQLite file protected by KMS alone: what one host writes, a restarted host opens (secrets and the rows' integrity seals).</summary>
public sealed class AwsKmsSqliteTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ironcage-kms-").FullName;

    [Fact]
    public async Task RegisterThenRestart_TheNewHostOpensEveryKeyWithKmsAlone()
    {
        await using var kms = await KmsEmulator.StartAsync();
        kms.CreateKey("alias/ironcage");
        var fingerprintKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var reference = KeyReference.Parse("groq/prod");
        string value;
        await using (var first = Host(kms, fingerprintKey))
        {
            using var secret = FakeKeys.Generate(ProviderId.Groq);
            value = secret.Reveal();
            await first.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = reference, Verify = false }, secret);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var second = Host(kms, fingerprintKey);

        var key = await second.GetRequiredService<Storage.IKeyStore>().GetAsync(reference);
        using var opened = await second.GetRequiredService<ISecretProtector>().OpenAsync(key.CurrentVersion!.Secret, new SecretBinding(reference, key.CurrentVersion.VersionId));

        opened.Reveal().Should().Be(value);
        key.CurrentVersion.Secret.KeyEncryptionKeyId.Should().Be("aws-kms:us-east-1:alias/ironcage");
        second.GetRequiredService<ISecretFingerprinter>().Matches(opened, key.CurrentVersion.Fingerprint).Should().BeTrue();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private ServiceProvider Host(KmsEmulator kms, string fingerprintKey)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var options = KmsTestSupport.Options(kms, "alias/ironcage");
        services.AddIronCage()
            .ProtectKeysWithAwsKms(o =>
            {
                o.KeyId = options.KeyId;
                o.Region = options.Region;
                o.ServiceUrl = options.ServiceUrl;
                o.Credentials = options.Credentials;
            })
            .PersistToSqlite("Data Source=" + Path.Combine(_folder, "ironcage.db"))
            .AddRotation();
        services.Configure<LocalMasterKeyOptions>(o => o.FingerprintKey = fingerprintKey);
        return services.BuildServiceProvider();
    }
}
