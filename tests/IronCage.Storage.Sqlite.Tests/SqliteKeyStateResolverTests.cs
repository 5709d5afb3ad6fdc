using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime.Testing;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>A killed key revived by editing its row is not served again by a host's resolver.</summary>
public sealed class SqliteKeyStateResolverTests
{
    private static readonly KeyReference Reference = new(ProviderId.OpenAI, "prod");

    [Fact]
    public async Task Resolve_KilledVersionRevivedByARowEdit_IsRefusedAlertedAndAudited()
    {
        var database = new TempDatabase();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        using var logs = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<NodaTime.IClock>(clock);
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderAdapter(provider)
            .AddRotation()
            .PersistToSqlite(database.ConnectionString)
            .AddKeyResolver();
        await using var host = services.BuildServiceProvider();
        var rotator = host.GetRequiredService<IKeyRotator>();
        string versionId;
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            versionId = (await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = provider.AddExistingKey(secret, "initial") }, secret)).CurrentVersion!.VersionId;
        }

        // Served and cached before the kill: a failed reload must not fall back to this cached, now killed, key.
        var resolver = host.GetRequiredService<IKeyResolver>();
        (await resolver.ResolveAsync(Reference)).VersionId.Should().Be(versionId);
        await rotator.KillAsync(Reference, versionId);

        // The attacker's edit: the version is Current again and no longer killed.
        using (var connection = database.OpenRaw())
        {
            using var revive = connection.CreateCommand();
            revive.CommandText = "UPDATE ironcage_key_versions SET stage = 1, killed_at = NULL;";
            revive.ExecuteNonQuery().Should().Be(1);
        }

        var resolve = async () => await resolver.ResolveAsync(Reference);

        (await resolve.Should().ThrowAsync<KeyStateTamperedException>()).Which.VersionId.Should().Be(versionId);
        logs.Entries.Should().Contain(e => e.EventId.Id == 2050 && e.Level == LogLevel.Critical && e.Text.Contains(versionId, StringComparison.Ordinal));
        var audited = new List<AuditRecord>();
        await foreach (var record in host.GetRequiredService<IAuditLog>().ReadAsync())
        {
            audited.Add(record);
        }

        audited.Should().Contain(r => r.Event.Action == AuditAction.KeyStateTampered && r.Event.Target == Reference.ToString());
        await host.DisposeAsync();
        database.Delete();
    }

    [Fact]
    public async Task Read_StoreSealedUnderAnotherMasterKey_IsAWrongMasterKeyNotATamperAlarm()
    {
        var database = new TempDatabase();
        var sealingKey = LocalMasterKeyProvider.GenerateMasterKey();
        ServiceProvider Host(string masterKey, RecordingLoggerProvider logs)
        {
            var services = new ServiceCollection();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
            services.AddIronCage().ProtectKeysWithMasterKey(masterKey).AddRotation().PersistToSqlite(database.ConnectionString);
            return services.BuildServiceProvider();
        }

        using (var logs = new RecordingLoggerProvider())
        await using (var sealing = Host(sealingKey, logs))
        using (var secret = FakeKeys.Generate(ProviderId.Groq))
        {
            await sealing.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = new(ProviderId.Groq, "prod"), Verify = false }, secret);
        }

        using (var logs = new RecordingLoggerProvider())
        await using (var wrong = Host(LocalMasterKeyProvider.GenerateMasterKey(), logs))
        {
            var read = async () => await wrong.GetRequiredService<IKeyStore>().GetAsync(new KeyReference(ProviderId.Groq, "prod"));

            (await read.Should().ThrowAsync<SecretDecryptionException>()).Which.Message.Should().Contain("wrong master key").And.Contain("RetiredMasterKeys");
            logs.Entries.Should().NotContain(e => e.EventId.Id == 2050, "a wrong master key is a configuration error, not an attack");
        }

        using (var logs = new RecordingLoggerProvider())
        await using (var sealing = Host(sealingKey, logs))
        {
            var audited = new List<AuditRecord>();
            await foreach (var record in sealing.GetRequiredService<IAuditLog>().ReadAsync())
            {
                audited.Add(record);
            }

            audited.Should().NotContain(r => r.Event.Action == AuditAction.KeyStateTampered);
            (await sealing.GetRequiredService<IKeyStore>().GetAsync(new KeyReference(ProviderId.Groq, "prod"))).CurrentVersion.Should().NotBeNull();
        }

        database.Delete();
    }
}
