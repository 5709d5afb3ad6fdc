using BenchmarkDotNet.Attributes;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Benchmarks;

/// <summary>
/// A store backup (<see cref="IKeyStoreBackup"/>) of 10,000 keys on SQLite: the export of the whole store (keys, their
/// registration audit records) to a file, and its restore into a fresh, empty SQLite file, which verifies the file's MAC
/// and opens every secret before it writes the 10,000 keys. Keys per second is 10,000 divided by the mean.
/// </summary>
/// <remarks>
/// No job of its own: each invocation is whole (an export writes the file again; a restore starts a new host on a new,
/// empty file, which is timed with it), so the job given on the command line decides how long it runs, in process:
/// <c>-- --filter *BackupBenchmarks* --job short</c>.
/// </remarks>
[MemoryDiagnoser]
public class BackupBenchmarks : IDisposable
{
    private const int KeyCount = 10_000;
    private readonly string _masterKey = LocalMasterKeyProvider.GenerateMasterKey();
    private string _folder = string.Empty;
    private string _backupFile = string.Empty;
    private ServiceProvider? _source;
    private ServiceProvider? _target;
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "ironcage-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _backupFile = Path.Combine(_folder, "store.backup");
        _source = Host("source.db");
        var rotator = _source.GetRequiredService<IKeyRotator>();
        Parallel.ForEachAsync(Enumerable.Range(0, KeyCount), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            using var secret = FakeKeys.Generate(ProviderId.Groq);
            await rotator.RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.Groq, $"k{i}"), Verify = false }, secret, cancellationToken: token);
        }).GetAwaiter().GetResult();
        ExportToFileAsync().GetAwaiter().GetResult();
    }

    [Benchmark]
    public async Task Export10000Keys() => await ExportToFileAsync();

    [Benchmark]
    public async Task Restore10000KeysIntoAnEmptyStore()
    {
        _target?.Dispose();
        _target = Host($"target-{_round++}.db");
        var stream = File.OpenRead(_backupFile);
        await using (stream)
        {
            var report = await _target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(stream);
            if (report.Keys != KeyCount || report.SecretsVerified != KeyCount)
            {
                throw new InvalidOperationException($"Restored {report.Keys} keys ({report.SecretsVerified} secrets verified), expected {KeyCount}.");
            }
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _source?.Dispose();
        _target?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private async Task ExportToFileAsync()
    {
        var stream = File.Create(_backupFile);
        await using (stream)
        {
            var report = await _source!.GetRequiredService<IKeyStoreBackup>().ExportAsync(stream);
            if (report.Keys != KeyCount)
            {
                throw new InvalidOperationException($"Exported {report.Keys} keys, expected {KeyCount}.");
            }
        }
    }

    private ServiceProvider Host(string file)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage()
            .ProtectKeysWithMasterKey(_masterKey)
            .AddRotation()
            .PersistToSqlite("Data Source=" + Path.Combine(_folder, file));
        return services.BuildServiceProvider();
    }
}
