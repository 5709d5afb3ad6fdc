using System.Security.Cryptography;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Storage.PostgreSql.Tests;

internal static class TestKeys
{
    public static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0);

    public static ManagedKey NewKey(string reference) => new()
    {
        Reference = KeyReference.Parse(reference),
        CreatedAt = T0,
        Versions =
        [
            new KeyVersion
            {
                VersionId = "kv_1",
                Stage = KeyStage.Current,
                CreatedAt = T0,
                DisplayHint = "sk-…1",
                Fingerprint = "fp1.test.kv_1",
                Secret = new EncryptedSecret
                {
                    KeyEncryptionKeyId = "local-0011223344556677",
                    WrappedDataKey = RandomNumberGenerator.GetBytes(60),
                    Nonce = RandomNumberGenerator.GetBytes(12),
                    Ciphertext = RandomNumberGenerator.GetBytes(51),
                },
            },
        ],
    };

    /// <summary>One IronCage instance (engine, optional scheduler) over the PostgreSQL store, sharing a clock, master key and fake provider with others.</summary>
    public static ServiceProvider Instance(string connectionString, FakeProviderAdapter provider, FakeClock clock, string masterKey, ILoggerProvider? logs = null, bool scheduler = false, Action<IIronCageBuilder>? extend = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddSingleton<IClock>(clock);
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(masterKey)
            .AddProviderAdapter(provider)
            .AddRotation(o =>
            {
                o.RetryDelay = TimeSpan.Zero;
                o.MaxRetryDelay = TimeSpan.Zero;
            });
        if (scheduler)
        {
            builder.AddRotationScheduler(o => o.MaxParallelism = 8);
        }

        builder.PersistToPostgreSql(connectionString);
        extend?.Invoke(builder);
        return services.BuildServiceProvider();
    }
}
