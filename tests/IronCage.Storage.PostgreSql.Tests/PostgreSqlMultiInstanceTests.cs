using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>Two IronCage instances (engine and scheduler each) over one database rotate every due key exactly once.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlMultiInstanceTests(PostgresServer server)
{
    private const int KeyCount = 500;

    [PostgresFact]
    public async Task TwoSchedulers_RunDueTogether_RotateEveryDueKeyExactlyOnce()
    {
        var connectionString = server.CreateDatabase();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        var masterKey = LocalMasterKeyProvider.GenerateMasterKey();
        var monthly = new RotationPolicy { Schedule = RotationSchedule.Monthly };

        await using var first = TestKeys.Instance(connectionString, provider, clock, masterKey, scheduler: true);
        await using var second = TestKeys.Instance(connectionString, provider, clock, masterKey, scheduler: true);

        var references = Enumerable.Range(0, KeyCount).Select(i => new KeyReference(ProviderId.OpenAI, $"key-{i:D3}")).ToList();
        var rotator = first.GetRequiredService<IKeyRotator>();
        await Parallel.ForEachAsync(references, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (reference, cancellationToken) =>
        {
            using var secret = FakeKeys.Generate(ProviderId.OpenAI);
            var providerKeyId = provider.AddExistingKey(secret, "initial-" + reference.Name);
            await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = providerKeyId, Policy = monthly }, secret, cancellationToken: cancellationToken);
        });
        provider.ClearCalls();

        var now = Instant.FromUtc(2026, 12, 1, 9, 0);
        clock.Reset(now);
        var results = await Task.WhenAll(
            Task.Run(() => first.GetRequiredService<RotationScheduler>().RunDueAsync(now)),
            Task.Run(() => second.GetRequiredService<RotationScheduler>().RunDueAsync(now)));

        results.Sum(r => r.Started).Should().Be(KeyCount, "between them the two instances start each due rotation once");
        var store = first.GetRequiredService<IRotationStore>();
        foreach (var reference in references)
        {
            var operations = new List<RotationOperation>();
            await foreach (var operation in store.ListForKeyAsync(reference))
            {
                operations.Add(operation);
            }

            operations.Should().ContainSingle($"{reference} is rotated exactly once");
        }

        var creates = provider.CallsTo(FakeProviderOperation.Create).Where(c => c.Outcome == FakeCallOutcome.Succeeded).ToList();
        creates.Should().HaveCount(KeyCount);
        creates.GroupBy(c => c.Key).Should().OnlyContain(g => g.Count() == 1, "one successful Create per key at the provider");
        (await first.GetRequiredService<IAuditLog>().VerifyAsync()).IsValid.Should().BeTrue("appends from both instances form one chain");
    }
}
