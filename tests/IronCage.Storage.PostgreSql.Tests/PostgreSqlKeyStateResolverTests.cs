using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime.Testing;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>A killed key revived by editing its row is not served again by a host's resolver.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlKeyStateResolverTests(PostgresServer server)
{
    private static readonly KeyReference Reference = new(ProviderId.OpenAI, "prod");

    [PostgresFact]
    public async Task Resolve_KilledVersionRevivedByARowEdit_IsRefusedAlertedAndAudited()
    {
        var connectionString = server.CreateDatabase();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        using var logs = new RecordingLoggerProvider();
        await using var host = TestKeys.Instance(connectionString, provider, clock, LocalMasterKeyProvider.GenerateMasterKey(), logs, extend: b => b.AddKeyResolver());
        var rotator = host.GetRequiredService<IKeyRotator>();
        string versionId;
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            versionId = (await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = provider.AddExistingKey(secret, "initial") }, secret)).CurrentVersion!.VersionId;
        }

        await rotator.KillAsync(Reference, versionId);

        // The attacker's edit: the version is Current again and no longer killed.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var revive = new NpgsqlCommand("UPDATE ironcage_key_versions SET stage = 1, killed_at = NULL;", connection);
            (await revive.ExecuteNonQueryAsync()).Should().Be(1);
        }

        var resolve = async () => await host.GetRequiredService<IKeyResolver>().ResolveAsync(Reference);

        (await resolve.Should().ThrowAsync<KeyStateTamperedException>()).Which.VersionId.Should().Be(versionId);
        logs.Entries.Should().Contain(e => e.EventId.Id == 2150 && e.Level == LogLevel.Critical && e.Text.Contains(versionId, StringComparison.Ordinal));
        var audited = new List<AuditRecord>();
        await foreach (var record in host.GetRequiredService<IAuditLog>().ReadAsync())
        {
            audited.Add(record);
        }

        audited.Should().Contain(r => r.Event.Action == AuditAction.KeyStateTampered && r.Event.Target == Reference.ToString());
    }
}
