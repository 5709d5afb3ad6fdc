using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Benchmarks;

/// <summary>
/// The admin API over loopback HTTP (real Kestrel on 127.0.0.1) with 10,000 OpenRouter keys in SQLite and the OpenRouter emulator (real HTTP on loopback) as the provider:
/// one list page, one usage answer, the dashboard's first page (the key list), one emergency rotation (grace 0, so the
/// same keys rotate again), one verify. Percentiles are the
/// figures to read (the requirement: key operations under 500 ms). Loopback-only default, rate limit off.
/// </summary>
[Config(typeof(PercentileConfig))]
public class AdminApiBenchmarks : IDisposable
{
    private const int Keys = 10_000;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private ProviderEmulator _emulator = null!;
    private string _folder = null!;
    private int _next;

    // Synchronous on purpose: BenchmarkDotNet's in-process toolchain does not always wait for an async setup, so a
    // workload could start before the host listens.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _folder = Directory.CreateTempSubdirectory("ironcage-admin-bench-").FullName;
        _emulator = await ProviderEmulator.StartAsync();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .PersistToSqlite($"Data Source={Path.Combine(_folder, "bench.db")}")
            .AddOpenRouter("openrouter", o =>
            {
                o.BaseAddress = _emulator.OpenRouter.BaseAddress;
                o.ManagementKey = _emulator.OpenRouter.ManagementKey;
            })
            .AddRotation()
            .AddUsageTracking()
            .AddAdmin(o => o.RateLimitPermits = 0);
        _app = builder.Build();
        _app.MapIronCageAdmin();
        _app.MapIronCageDashboard("/ironcage");
        await _app.StartAsync();
        var rotator = _app.Services.GetRequiredService<IKeyRotator>();
        for (var i = 0; i < Keys; i++)
        {
            var seeded = _emulator.OpenRouter.AddKey("bench-" + i);
            using var secret = seeded.ToSecretValue();
            await rotator.RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.OpenRouter, $"k{i:D5}"), ProviderKeyId = seeded.Id, Verify = false }, secret);
        }

        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task CleanupAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _emulator.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    public void Dispose()
    {
        _client?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public async Task<string> ListPage() => await _client.GetStringAsync("/api/admin/api-keys?page=100&pageSize=50");

    [Benchmark]
    public async Task<string> Usage() => await _client.GetStringAsync($"/api/admin/api-keys/openrouter/k{Interlocked.Increment(ref _next) % Keys:D5}/usage");

    [Benchmark]
    public async Task<string> DashboardFirstPage() => await _client.GetStringAsync("/ironcage/");

    [Benchmark]
    public async Task<HttpResponseMessage> RotateEmergency()
    {
        var response = await _client.PutAsync($"/api/admin/api-keys/openrouter/k{Interlocked.Increment(ref _next) % Keys:D5}/rotate?reason=compromised", null);
        return response.EnsureSuccessStatusCode();
    }

    [Benchmark]
    public async Task<HttpResponseMessage> Verify()
    {
        var response = await _client.PostAsync($"/api/admin/api-keys/openrouter/k{Interlocked.Increment(ref _next) % Keys:D5}/verify", null);
        return response.EnsureSuccessStatusCode();
    }

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P50, StatisticColumn.P95, new P99Column(), StatisticColumn.Max);
    }

    // BenchmarkDotNet 0.14 has no 99th-percentile column. Run with --invocationCount 1 --unrollFactor 1 so each
    // measurement is one request and the percentiles are those of single requests.
    private sealed class P99Column : IColumn
    {
        public string Id => "P99";

        public string ColumnName => "P99";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Time;

        public string Legend => "99th percentile of the measurements";

        public bool IsDefault(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(BenchmarkDotNet.Reports.Summary summary) => true;

        public string GetValue(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase)
            => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(BenchmarkDotNet.Reports.Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, BenchmarkDotNet.Reports.SummaryStyle style)
            => summary[benchmarkCase]?.ResultStatistics?.Percentiles.Percentile(99) is { } nanoseconds
                ? (nanoseconds / 1_000_000d).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) + " ms"
                : "NA";
    }
}
