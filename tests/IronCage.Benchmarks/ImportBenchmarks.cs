using System.Text;
using BenchmarkDotNet.Attributes;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Secrets;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Benchmarks;

/// <summary>
/// Import throughput: a generated 10,000-line <c>.env</c> (10,000 distinct Groq and Replicate keys, detected by their
/// prefixes, with comments and blank lines between them) imported into the in-memory store, verification off. Each
/// invocation starts from an empty store; keys/s = 10,000 / mean seconds. Covers parsing, detection, format
/// validation, fingerprinting, sealing (AES-256-GCM envelope) and registration with its audit record.
/// </summary>
[MemoryDiagnoser]
public class DotEnvImportBenchmarks : IDisposable
{
    private const int Keys = 10_000;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ironcage-import-bench-" + Guid.NewGuid().ToString("N"));
    private string _path = string.Empty;
    private ServiceProvider? _services;
    private IKeyImporter _importer = null!;

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        _path = Path.Combine(_directory, ".env");
        var builder = new StringBuilder();
        for (var i = 0; i < Keys; i++)
        {
            if (i % 100 == 0)
            {
                builder.Append("# team ").Append(i / 100).Append("\n\n");
            }

            var provider = i % 2 == 0 ? ProviderId.Groq : ProviderId.Replicate;
            builder.Append(i % 3 == 0 ? "export " : string.Empty).Append("SVC").Append(i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture)).Append("_API_KEY=");
            var key = FakeKeys.GenerateText(provider);
            builder.Append(i % 4 == 0 ? $"\"{key}\"" : key).Append('\n');
        }

        File.WriteAllText(_path, builder.ToString());
    }

    [IterationSetup]
    public void NewStore()
    {
        _services?.Dispose();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddKeyImport();
        _services = services.BuildServiceProvider();
        _importer = _services.GetRequiredService<IKeyImporter>();
    }

    [Benchmark]
    public async Task<int> Import10000LineDotEnv()
    {
        var source = new DotEnvKeySource(_path, _services!.GetRequiredService<IProviderCatalog>());
        var report = await _importer.ImportAsync(source, new KeyImportOptions { Verify = false });
        return report.Imported == Keys ? report.Imported : throw new InvalidOperationException("Not every key was imported: " + report.ToString()[..Math.Min(2000, report.ToString().Length)]);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _services?.Dispose();
        _services = null;
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
