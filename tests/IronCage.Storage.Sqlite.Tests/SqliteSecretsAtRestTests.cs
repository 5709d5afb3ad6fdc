using System.Text;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>Runs a real rotation against the SQLite store and searches the database files' bytes for the secrets.</summary>
public sealed class SqliteSecretsAtRestTests : IDisposable
{
    private const int Window = 16;
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Delete();

    [Fact]
    public async Task FullRotation_DatabaseFilesHoldNoSecretValueOldOrNew_OnlyTheirDisplayHints()
    {
        var logs = new RecordingLoggerProvider();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<IClock>(clock);
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderAdapter(provider)
            .AddRotation(o =>
            {
                o.RetryDelay = TimeSpan.Zero;
                o.MaxRetryDelay = TimeSpan.Zero;
            })
            .PersistToSqlite(_database.ConnectionString);

        string oldText, newText, oldHint, newHint;
        await using (var container = services.BuildServiceProvider())
        {
            var rotator = container.GetRequiredService<IKeyRotator>();
            var keys = container.GetRequiredService<IKeyStore>();
            keys.Should().BeOfType<SqliteKeyStore>();
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
            clock.Advance(Duration.FromHours(25));
            var completed = await rotator.CompleteGraceAsync(reference);
            completed.Step.Should().Be(RotationStep.Completed);

            var key = await keys.GetAsync(reference);
            var current = key.CurrentVersion!;
            using (var newSecret = await container.GetRequiredService<ISecretProtector>().OpenAsync(current.Secret, new SecretBinding(reference, current.VersionId)))
            {
                newText = newSecret.Reveal();
                newHint = newSecret.DisplayHint;
            }

            newText.Should().NotBe(oldText);
            provider.IsAccepted(SecretValue.FromString(newText)).Should().BeTrue("the stored, encrypted key is the one the provider issued");
            (await container.GetRequiredService<IRotationStore>().FindAsync(rotated.OperationId))!.NewSecret.Should().BeNull("the engine drops the operation's sealed copy once the key store holds the new version");
            (await container.GetRequiredService<IAuditLog>().VerifyAsync()).RecordsChecked.Should().BeGreaterThan(0);

            // Usage of the new key and a budget hold: the usage tables are in the searched files too.
            var usage = container.GetRequiredService<IUsageStore>();
            usage.Should().BeOfType<SqliteUsageStore>();
            await usage.AppendAsync([new UsageRecord { Key = reference, Minute = clock.GetCurrentInstant(), VersionId = current.VersionId, Model = "gpt-4o", Requests = 1, Cost = 0.01m }]);
            (await usage.TryReserveAsync(new BudgetReservation { Id = Guid.NewGuid(), Budget = reference + ":Day", WindowStart = clock.GetCurrentInstant(), Amount = 1m, CreatedAt = clock.GetCurrentInstant() }, 10m)).Admitted.Should().BeTrue();
        }

        var files = new[] { _database.FilePath, _database.FilePath + "-wal" }.Where(File.Exists).Select(File.ReadAllBytes).ToList();
        files.Sum(f => f.Length).Should().BeGreaterThan(0);

        // Positive control: the display hints are stored (so the search does find what is there).
        ContainsText(files, newHint).Should().BeTrue("the display hint is stored in clear for people to recognise the key");
        foreach (var (name, secret, hint) in new[] { ("old", oldText, oldHint), ("new", newText, newHint) })
        {
            for (var start = 0; start + Window <= secret.Length; start++)
            {
                var window = secret.Substring(start, Window);
                ContainsText(files, window).Should().BeFalse($"no 16-character piece of the {name} secret may be stored (found the piece at offset {start})");
            }

            // Nothing beyond the hint's first three and last four characters: not even one more character either side.
            ContainsTextOutsideEscapedHint(files, secret[^5..]).Should().BeFalse($"the {name} secret's last five characters reveal more than its hint {hint}");
            ContainsText(files, secret[..12]).Should().BeFalse($"the {name} secret's first twelve characters reveal more than its hint {hint}");
        }

        var oldTail = oldText[^Window..];
        var newTail = newText[^Window..];
        logs.Entries.Should().NotContain(e => e.Text.Contains(oldTail, StringComparison.Ordinal) || e.Text.Contains(newTail, StringComparison.Ordinal), "no secret is logged");
    }

    // JSON columns store the hint's ellipsis escaped ("sk-\u2026wxyz"): when a secret's fifth-last character is a "6",
    // "6wxyz" is found there, right after "\u202", without revealing anything. Any other occurrence is a leak.
    private static bool ContainsTextOutsideEscapedHint(List<byte[]> files, string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var escaped = Encoding.UTF8.GetBytes("\\u202");
        foreach (var file in files)
        {
            for (var from = 0; ;)
            {
                var found = file.AsSpan(from).IndexOf(utf8);
                if (found < 0)
                {
                    break;
                }

                var at = from + found;
                var inEscapedHint = text[0] == '6' && at >= escaped.Length && file.AsSpan(at - escaped.Length, escaped.Length).SequenceEqual(escaped);
                if (!inEscapedHint)
                {
                    return true;
                }

                from = at + 1;
            }

            if (file.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsText(List<byte[]> files, string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var utf16 = Encoding.Unicode.GetBytes(text);
        return files.Any(f => f.AsSpan().IndexOf(utf8) >= 0 || f.AsSpan().IndexOf(utf16) >= 0);
    }
}
