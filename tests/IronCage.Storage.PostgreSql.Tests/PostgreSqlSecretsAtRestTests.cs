using System.Text;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>Runs a real rotation against the PostgreSQL store and searches every row of every table, as text, for the secrets.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlSecretsAtRestTests(PostgresServer server)
{
    private const int Window = 16;

    [PostgresFact]
    public async Task FullRotation_NoTableHoldsASecretValueOldOrNew_OnlyTheirDisplayHints()
    {
        var connectionString = server.CreateDatabase();
        var logs = new RecordingLoggerProvider();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);

        string oldText, newText, oldHint, newHint;
        await using (var container = TestKeys.Instance(connectionString, provider, clock, LocalMasterKeyProvider.GenerateMasterKey(), logs))
        {
            var rotator = container.GetRequiredService<IKeyRotator>();
            var keys = container.GetRequiredService<IKeyStore>();
            keys.Should().BeOfType<PostgreSqlKeyStore>();
            var reference = new KeyReference(ProviderId.OpenAI, "prod");

            oldText = FakeKeys.GenerateText(ProviderId.OpenAI);
            using (var oldSecret = SecretValue.FromString(oldText))
            {
                oldHint = oldSecret.DisplayHint;
                var providerKeyId = provider.AddExistingKey(oldSecret, "initial-prod");
                await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = providerKeyId }, oldSecret);
            }

            var rotated = await rotator.RotateAsync(reference, RotationReason.Manual);
            rotated.Step.Should().Be(RotationStep.GracePeriod);
            (await container.GetRequiredService<IRotationStore>().FindAsync(rotated.OperationId))!.Should().NotBeNull();
            clock.Advance(Duration.FromHours(25));
            (await rotator.CompleteGraceAsync(reference)).Step.Should().Be(RotationStep.Completed);

            var current = (await keys.GetAsync(reference)).CurrentVersion!;
            using (var newSecret = await container.GetRequiredService<ISecretProtector>().OpenAsync(current.Secret, new SecretBinding(reference, current.VersionId)))
            {
                newText = newSecret.Reveal();
                newHint = newSecret.DisplayHint;
            }

            newText.Should().NotBe(oldText);
            provider.IsAccepted(SecretValue.FromString(newText)).Should().BeTrue("the stored, encrypted key is the one the provider issued");
            (await container.GetRequiredService<IAuditLog>().VerifyAsync()).RecordsChecked.Should().BeGreaterThan(0);

            // Usage of the new key and a budget hold: their tables are searched too.
            var usage = container.GetRequiredService<IUsageStore>();
            await usage.AppendAsync([new UsageRecord { Key = reference, Minute = clock.GetCurrentInstant(), VersionId = current.VersionId, Model = "gpt-4o", Requests = 1, Cost = 0.01m }]);
            (await usage.TryReserveAsync(new BudgetReservation { Id = Guid.NewGuid(), Budget = reference + ":Day", WindowStart = clock.GetCurrentInstant(), Amount = 1m, CreatedAt = clock.GetCurrentInstant() }, 10m)).Admitted.Should().BeTrue();
        }

        var dump = await DumpAsync(connectionString);
        dump.Length.Should().BeGreaterThan(0);

        // Positive control: the display hints are stored (so the search does find what is there).
        dump.Should().Contain(newHint, "the display hint is stored in clear for people to recognise the key");
        foreach (var (name, secret) in new[] { ("old", oldText), ("new", newText) })
        {
            for (var start = 0; start + Window <= secret.Length; start++)
            {
                var window = secret.Substring(start, Window);
                dump.Contains(window, StringComparison.Ordinal).Should().BeFalse($"no 16-character piece of the {name} secret may be stored (found the piece at offset {start})");
                dump.Contains(Hex(window), StringComparison.OrdinalIgnoreCase).Should().BeFalse($"no 16-character piece of the {name} secret may be stored as bytes (offset {start})");
            }
        }

        var oldTail = oldText[^Window..];
        var newTail = newText[^Window..];
        logs.Entries.Should().NotContain(e => e.Text.Contains(oldTail, StringComparison.Ordinal) || e.Text.Contains(newTail, StringComparison.Ordinal), "no secret is logged");
    }

    private static string Hex(string text) => Convert.ToHexString(Encoding.UTF8.GetBytes(text));

    /// <summary>Every row of every table in the database's public schema, each as PostgreSQL's text form of the row (bytea as hex).</summary>
    private static async Task<string> DumpAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename;", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        tables.Should().Contain(["ironcage_keys", "ironcage_key_versions", "ironcage_audit", "ironcage_rotation_operations", "ironcage_rotation_leases", "ironcage_usage", "ironcage_budget_windows", "ironcage_budget_reservations"]);
        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var select = new NpgsqlCommand($"SELECT t::text FROM {table} AS t;", connection);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.Append(table).Append(": ").AppendLine(reader.GetString(0));
            }
        }

        return dump.ToString();
    }
}
