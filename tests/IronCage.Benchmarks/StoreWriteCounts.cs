using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Storage.PostgreSql.Tests;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Benchmarks;

/// <summary>
/// Counts the store calls one rotation makes, per rotation kind and durable store: every call to <see cref="IKeyStore"/>,
/// <see cref="IRotationStore"/>, <see cref="IAuditLog"/> and <see cref="IRotationStepStore"/> goes through a counting
/// proxy (each write method is one store transaction, each read one query), and on PostgreSQL the server's own count
/// of committed transactions (<c>pg_stat_database.xact_commit</c>) is read around the rotation. Deterministic, unlike
/// timings on a shared machine: <c>dotnet run -c Release --project tests/IronCage.Benchmarks -- --counts</c>.
/// </summary>
public static class StoreWriteCounts
{
    private static readonly string[] Reads = ["FindAsync", "GetAsync", "FindActiveAsync", "ListAsync", "ListActiveAsync", "ListForKeyAsync", "ListDueAsync", "ReadAsync", "VerifyAsync"];

    /// <summary>Runs every scenario on SQLite and PostgreSQL and prints one table.</summary>
    /// <returns>A task that completes when every scenario ran.</returns>
    public static async Task RunAsync()
    {
        Console.WriteLine("| store | rotation | key store (r/w) | rotation store (r/w) | audit (r/w) | step store (w) | write transactions | reads | PostgreSQL commits (incl. reads) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var store in new[] { "sqlite", "postgresql" })
        {
            foreach (var scenario in Scenarios)
            {
                await RunAsync(store, scenario.Name, scenario.Provider, scenario.Run).ConfigureAwait(false);
            }
        }
    }

    private static (string Name, ProviderId Provider, Func<IKeyRotator, FakeProviderAdapter, FakeClock, KeyReference, Task> Run)[] Scenarios =>
    [
        ("compromised (no grace)", ProviderId.OpenAI, async (rotator, _, _, key) => Expect(await rotator.RotateAsync(key, RotationReason.Compromised).ConfigureAwait(false), RotationStep.Completed)),
        ("scheduled to grace", ProviderId.OpenAI, async (rotator, _, _, key) => Expect(await rotator.RotateAsync(key, RotationReason.Scheduled).ConfigureAwait(false), RotationStep.GracePeriod)),
        ("scheduled to grace + completion", ProviderId.OpenAI, async (rotator, _, clock, key) =>
        {
            var operation = Expect(await rotator.RotateAsync(key, RotationReason.Scheduled).ConfigureAwait(false), RotationStep.GracePeriod);
            clock.AdvanceDays(2);
            Expect(await rotator.ResumeAsync(operation.OperationId).ConfigureAwait(false), RotationStep.Completed);
        }),
        ("revoke", ProviderId.OpenAI, async (rotator, _, _, key) => Expect(await rotator.RevokeAsync(key).ConfigureAwait(false), RotationStep.Completed)),
        ("semi-automatic: request + supply (to grace)", ProviderId.Anthropic, async (rotator, provider, _, key) =>
        {
            Expect(await rotator.RotateAsync(key, RotationReason.Scheduled).ConfigureAwait(false), RotationStep.AwaitingNewKey);
            using var supplied = FakeKeys.Generate(ProviderId.Anthropic);
            provider.AddExistingKey(supplied, "created by a person");
            Expect(await rotator.SupplyNewKeyAsync(key, supplied).ConfigureAwait(false), RotationStep.GracePeriod);
        }),
    ];

    private static RotationOperation Expect(RotationOperation operation, RotationStep step)
        => operation.Step == step ? operation : throw new InvalidOperationException($"{operation.Key} ended at {operation.Step}, expected {step}: {operation.LastError}");

    private static async Task RunAsync(string store, string name, ProviderId providerId, Func<IKeyRotator, FakeProviderAdapter, FakeClock, KeyReference, Task> run)
    {
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var counts = new ConcurrentDictionary<string, int>();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(clock);
        var provider = FakeProviderAdapter.For(providerId, clock);
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderAdapter(provider)
            .AddRotation();
        PostgresCluster? cluster = null;
        string? folder = null;
        string? connectionString = null;
        if (store == "sqlite")
        {
            folder = Path.Combine(Path.GetTempPath(), "ironcage-counts-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            builder.PersistToSqlite("Data Source=" + Path.Combine(folder, "counts.db"));
        }
        else
        {
            cluster = await PostgresCluster.StartNewAsync().ConfigureAwait(false);
            connectionString = cluster.CreateDatabase("ironcage_counts");
            builder.PersistToPostgreSql(connectionString);
        }

        Decorate<IKeyStore>(services, "key", counts);
        Decorate<IRotationStore>(services, "rotation", counts);
        Decorate<IAuditLog>(services, "audit", counts);
        Decorate<IRotationStepStore>(services, "step", counts);
        long commitsBefore = 0;
        Dictionary<string, int> snapshot;
        try
        {
            var sp = services.BuildServiceProvider();
            await using (sp.ConfigureAwait(false))
            {
                var rotator = sp.GetRequiredService<IKeyRotator>();
                using var secret = FakeKeys.Generate(providerId);
                var id = provider.AddExistingKey(secret);
                var reference = new KeyReference(providerId, "counted");
                await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = id, Verify = false }, secret).ConfigureAwait(false);

                // A warm-up rotation of another key first, so the counts below hold no one-time work (schema, sealing).
                using var warmSecret = FakeKeys.Generate(providerId);
                var warm = new KeyReference(providerId, "warm-up");
                await rotator.RegisterAsync(new KeyRegistration { Reference = warm, ProviderKeyId = provider.AddExistingKey(warmSecret), Verify = false }, warmSecret).ConfigureAwait(false);
                await rotator.RevokeAsync(warm).ConfigureAwait(false);

                if (connectionString is not null)
                {
                    // Idle backends report their statistics within 10 s; the rotation's own are reported when the
                    // provider (and its connection pool) is disposed below.
                    await Task.Delay(TimeSpan.FromSeconds(11)).ConfigureAwait(false);
                    commitsBefore = await CommitsAsync(connectionString).ConfigureAwait(false);
                }

                counts.Clear();
                await run(rotator, provider, clock, reference).ConfigureAwait(false);
                snapshot = new Dictionary<string, int>(counts);
            }

            // The read of commitsBefore was itself one committed transaction.
            var commits = connectionString is null ? (long?)null : await CommitsAsync(connectionString).ConfigureAwait(false) - commitsBefore - 1;
            string Cell(string prefix) => $"{Sum(snapshot, prefix, read: true)}/{Sum(snapshot, prefix, read: false)}";
            var writes = Sum(snapshot, "key", false) + Sum(snapshot, "rotation", false) + Sum(snapshot, "audit", false) + Sum(snapshot, "step", false);
            var reads = Sum(snapshot, "key", true) + Sum(snapshot, "rotation", true) + Sum(snapshot, "audit", true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {store} | {name} | {Cell("key")} | {Cell("rotation")} | {Cell("audit")} | {Sum(snapshot, "step", false)} | {writes} | {reads} | {(commits is { } c ? c.ToString(CultureInfo.InvariantCulture) : "–")} |"));
            Console.Error.WriteLine($"  {store} {name}: " + string.Join(", ", snapshot.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }
        finally
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
            }

            if (folder is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static int Sum(Dictionary<string, int> counts, string prefix, bool read)
        => counts.Where(p => p.Key.StartsWith(prefix + ".", StringComparison.Ordinal) && Reads.Contains(p.Key[(prefix.Length + 1)..]) == read).Sum(p => p.Value);

    // pg_stat_database counts what backends reported: an idle one within 10 s, a closing one at once.
    private static async Task<long> CommitsAsync(string connectionString)
    {
        await Task.Delay(TimeSpan.FromSeconds(0.5)).ConfigureAwait(false);
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database();", connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
    }

    private static void Decorate<T>(ServiceCollection services, string prefix, ConcurrentDictionary<string, int> counts)
        where T : class
    {
        var descriptor = services.LastOrDefault(d => d.ServiceType == typeof(T));
        if (descriptor is null)
        {
            return;
        }

        services.Remove(descriptor);
        services.AddSingleton(sp =>
        {
            // The step store is built over the stores themselves, not the counting proxies: a SQL store's one-transaction
            // writer is only used over its own stores, and its writes are counted as step writes.
            var view = typeof(T) == typeof(IRotationStepStore) ? new UndecoratedView(sp) : sp;
            var inner = (T)(descriptor.ImplementationInstance
                ?? descriptor.ImplementationFactory?.Invoke(view)
                ?? ActivatorUtilities.CreateInstance(view, descriptor.ImplementationType!));
            var proxy = DispatchProxy.Create<T, CountingProxy>();
            var counting = (CountingProxy)(object)proxy;
            counting.Inner = inner;
            counting.Prefix = prefix;
            counting.Counts = counts;
            return proxy;
        });
    }

    /// <summary>Resolves the stores without their counting proxies.</summary>
    private sealed class UndecoratedView(IServiceProvider services) : IServiceProvider
    {
        public object? GetService(Type serviceType)
            => services.GetService(serviceType) is var service && service is CountingProxy proxy ? proxy.Inner : service;
    }

    /// <summary>Counts each call by method name and forwards it.</summary>
    public class CountingProxy : DispatchProxy
    {
        internal object Inner { get; set; } = null!;

        internal string Prefix { get; set; } = string.Empty;

        internal ConcurrentDictionary<string, int> Counts { get; set; } = null!;

        /// <inheritdoc />
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (!targetMethod.IsSpecialName)
            {
                Counts.AddOrUpdate(Prefix + "." + targetMethod.Name, 1, (_, n) => n + 1);
            }

            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
