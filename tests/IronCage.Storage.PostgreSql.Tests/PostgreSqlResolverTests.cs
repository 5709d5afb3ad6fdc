using IronCage.Encryption;
using IronCage.Http;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime.Testing;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>Two host instances over one database: what one changes reaches the other's key resolver through LISTEN/NOTIFY.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlResolverTests(PostgresServer server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly KeyReference Reference = new(ProviderId.OpenAI, "prod");

    [PostgresFact]
    public async Task RotationAndKillOnOneInstance_ReachTheOtherInstancesResolver()
    {
        var connectionString = server.CreateDatabase();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        var masterKey = LocalMasterKeyProvider.GenerateMasterKey();

        // The second instance never refreshes on its own: only the change feed can tell it about the rotation.
        await using var first = TestKeys.Instance(connectionString, provider, clock, masterKey);
        await using var second = TestKeys.Instance(connectionString, provider, clock, masterKey, extend: b => b.AddKeyResolver(o => o.RefreshInterval = TimeSpan.FromHours(1)));
        var hosted = second.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            var rotator = first.GetRequiredService<IKeyRotator>();
            using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
            {
                await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = provider.AddExistingKey(secret, "initial") }, secret);
            }

            var resolver = second.GetRequiredService<IKeyResolver>();
            var before = await resolver.ResolveAsync(Reference);

            var operation = await rotator.RotateAsync(Reference, RotationReason.Manual);
            var promoted = operation.NewVersionId!;
            (await EventuallyAsync(async () => (await resolver.ResolveAsync(Reference)).VersionId == promoted)).Should().BeTrue("the promotion reaches the other instance's cache");
            promoted.Should().NotBe(before.VersionId);

            await rotator.KillAsync(Reference, promoted);
            (await EventuallyAsync(async () =>
            {
                try
                {
                    await resolver.ResolveAsync(Reference);
                    return false;
                }
                catch (NoUsableKeyException exception)
                {
                    return exception.Skipped.Single().Reason == KeySkipReason.Killed;
                }
            })).Should().BeTrue("the kill reaches the other instance's cache");
        }
        finally
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }
}
