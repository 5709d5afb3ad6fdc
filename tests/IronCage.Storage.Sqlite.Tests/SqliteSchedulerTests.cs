using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>The rotation scheduler over a real SQLite file that someone with access to the file has edited.</summary>
public sealed class SqliteSchedulerTests : IDisposable
{
    private static readonly RotationPolicy Monthly = new() { Schedule = RotationSchedule.Monthly };
    private static readonly Instant Due = Instant.FromUtc(2026, 12, 1, 9, 0);

    private readonly TempDatabase _database = new();
    private readonly RecordingLoggerProvider _logs = new();
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private readonly FakeProviderAdapter _provider;
    private readonly ServiceProvider _services;
    private readonly List<string> _secrets = [];

    public SqliteSchedulerTests()
    {
        _provider = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        services.AddSingleton<IClock>(_clock);
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderAdapter(_provider)
            .AddRotation(o =>
            {
                o.RetryDelay = TimeSpan.Zero;
                o.MaxRetryDelay = TimeSpan.Zero;
            })
            .AddRotationScheduler()
            .PersistToSqlite(_database.ConnectionString);
        _services = services.BuildServiceProvider();
    }

    private RotationScheduler Scheduler => _services.GetRequiredService<RotationScheduler>();

    private IRotationStore Operations => _services.GetRequiredService<IRotationStore>();

    public void Dispose()
    {
        _services.Dispose();
        _database.Delete();
    }

    [Fact]
    public async Task RunDue_RowsCorruptedWithSql_AreReportedAndTheOtherKeysStillRotate()
    {
        foreach (var name in new[] { "fine-1", "bad-policy", "bad-schedule", "bad-ciphertext", "fine-2", "copied" })
        {
            await RegisterAsync(name);
        }

        using (var raw = _database.OpenRaw())
        {
            Execute(raw, "UPDATE ironcage_keys SET policy = '{\"schedule\": ' WHERE reference = 'openai/bad-policy';");
            Execute(raw, "UPDATE ironcage_keys SET policy = '{\"schedule\":\"P9000Y\"}', next_due_at = NULL WHERE reference = 'openai/bad-schedule';");
            Execute(raw, "UPDATE ironcage_key_versions SET ciphertext = X'00112233' WHERE reference = 'openai/bad-ciphertext';");

            // A key of a provider this host has no adapter for, copied from a good row.
            Execute(raw, """
                INSERT INTO ironcage_keys (reference, provider, name, kind, description, labels, scope, policy, limits, created_at, token, next_due_at)
                SELECT 'nosuch/copied', 'nosuch', 'copied', kind, description, labels, scope, policy, limits, created_at, token + 1000, NULL FROM ironcage_keys WHERE reference = 'openai/copied';
                INSERT INTO ironcage_key_versions (reference, ordinal, version_id, provider_key_id, stage, created_at, activated_at, expires_at, revoked_at, killed_at,
                                                   last_used_at, display_hint, fingerprint, secret_format, kek_id, wrapped_data_key, nonce, ciphertext, metadata)
                SELECT 'nosuch/copied', ordinal, version_id, provider_key_id, stage, created_at, activated_at, expires_at, revoked_at, killed_at,
                       last_used_at, display_hint, fingerprint, secret_format, kek_id, wrapped_data_key, nonce, ciphertext, metadata
                FROM ironcage_key_versions WHERE reference = 'openai/copied';
                """);

            // Sealed as IronCage seals its own rows: a copy without a seal for its new key is refused as tampered
            // (SqliteKeyStateSealTests); this test is about a provider without an adapter.
            var seals = new KeyStateAuthenticator(_services.GetRequiredService<LocalMasterKeyProvider>());
            var copied = KeyReference.Parse("nosuch/copied");
            foreach (var version in (await _services.GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse("openai/copied"))).Versions)
            {
                Execute(raw, $"UPDATE ironcage_key_versions SET state_mac = '{seals.Seal(copied, version)}' WHERE reference = 'nosuch/copied' AND version_id = '{version.VersionId}';");
            }
        }

        _clock.Reset(Due);
        var result = await Scheduler.RunDueAsync(Due);

        result.Errors.Should().Be(2, "the undecodable policy and the schedule that runs past the calendar each fail on their own");
        foreach (var name in new[] { "fine-1", "fine-2", "copied", "bad-ciphertext" })
        {
            (await Operations.FindActiveAsync(KeyReference.Parse("openai/" + name)))!.Step.Should().Be(RotationStep.GracePeriod, "{0} rotates whatever the other rows hold", name);
        }

        // A rotation never opens the old key's ciphertext, so the edited one still rotates (and its old key is retired).
        // A provider without an adapter rotates by hand: the scheduler opens the rotation and reminds a person.
        result.Started.Should().Be(5);
        (await Operations.FindActiveAsync(KeyReference.Parse("nosuch/copied")))!.Step.Should().Be(RotationStep.AwaitingNewKey);
        result.Reminders.Should().Be(1);
        (await Operations.FindActiveAsync(KeyReference.Parse("openai/bad-policy"))).Should().BeNull();
        (await Operations.FindActiveAsync(KeyReference.Parse("openai/bad-schedule"))).Should().BeNull();
        _logs.Entries.Should().Contain(e => e.Text.Contains("openai/bad-policy", StringComparison.Ordinal) && e.Level == LogLevel.Error);
        _logs.Entries.Should().Contain(e => e.Text.Contains("openai/bad-schedule", StringComparison.Ordinal) && e.Level == LogLevel.Error);
        _logs.Entries.Should().NotContain(e => _secrets.Any(s => e.Text.Contains(s, StringComparison.Ordinal)), "no secret reaches a log line");

        _clock.AdvanceHours(25);
        var second = await Scheduler.RunDueAsync(_clock.GetCurrentInstant());
        second.Completed.Should().Be(4);
        second.Errors.Should().Be(2, "the broken rows are reported on every pass until someone repairs them");
    }

    [Fact]
    public async Task RunDue_RowFromBeforeTheDueColumn_IsEvaluatedAndItsDueInstantStored()
    {
        await RegisterAsync("legacy");
        await RegisterAsync("later");
        using (var raw = _database.OpenRaw())
        {
            Execute(raw, "UPDATE ironcage_keys SET next_due_at = NULL WHERE reference = 'openai/legacy';");
        }

        var keys = _services.GetRequiredService<IKeyStore>();
        var beforeDue = Due - Duration.FromDays(10);
        (await keys.ListDueAsync(beforeDue, 10)).Should().Equal(KeyReference.Parse("openai/legacy"));

        var result = await Scheduler.RunDueAsync(beforeDue);

        result.Should().Be(new SchedulerRunResult(), "the key is not due yet; the scheduler only looked at it");
        (await keys.GetAsync(KeyReference.Parse("openai/legacy"))).NextDueAt.Should().Be(Due);
        (await keys.ListDueAsync(beforeDue, 10)).Should().BeEmpty("the value is stored now");
        (await keys.ListDueAsync(Due, 10)).Should().Equal(KeyReference.Parse("openai/later"), KeyReference.Parse("openai/legacy"));
    }

    private static void Execute(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery().Should().BePositive();
    }

    private async Task RegisterAsync(string name)
    {
        var text = FakeKeys.GenerateText(ProviderId.OpenAI);
        _secrets.Add(text);
        using var secret = SecretValue.FromString(text);
        var providerKeyId = _provider.AddExistingKey(secret, "initial-" + name);
        await _services.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.OpenAI, name), ProviderKeyId = providerKeyId, Policy = Monthly }, secret);
    }
}
