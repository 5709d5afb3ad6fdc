using IronCage.Core.Tests.Support;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Usage;
using IronCage.Usage.Pricing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Usage.Tests;

/// <summary>Usage tracking wired by hand over one store, key store and fake clock; one instance of a host.</summary>
internal sealed class UsageHarness : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    private UsageHarness(FakeClock clock, IUsageStore store, IKeyStore keys, UsageTrackingOptions options, RecordingLoggerProvider logs)
    {
        Clock = clock;
        Store = store;
        Keys = keys;
        Options = options;
        Logs = logs;
        _loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Pricing = new UsagePricing(
            options.UseBuiltInPrices ? PriceCatalog.BuiltIn.With(options.Prices) : PriceCatalog.Create("custom", options.Prices),
            wrapped,
            _loggers.CreateLogger<UsagePricing>());
        Cache = new LiveUsageCache(keys, [], [], store, _loggers.CreateLogger<LiveUsageCache>());
        Recorder = new UsageRecorder(store, Cache, Pricing, clock, wrapped, _loggers.CreateLogger<UsageRecorder>());
        Guard = new UsageBudgetGuard(Recorder, store, _loggers.CreateLogger<UsageBudgetGuard>());
        Query = new UsageQuery(Recorder, store);
        Monitor = new UsageAlertMonitor(Recorder, [Alerts], wrapped, _loggers.CreateLogger<UsageAlertMonitor>());
    }

    public static KeyReference OpenAI { get; } = KeyReference.Parse("openai/prod");

    public static KeyReference Anthropic { get; } = KeyReference.Parse("anthropic/batch");

    public FakeClock Clock { get; }

    public IUsageStore Store { get; }

    public IKeyStore Keys { get; }

    public UsageTrackingOptions Options { get; }

    public RecordingLoggerProvider Logs { get; }

    public UsagePricing Pricing { get; }

    public LiveUsageCache Cache { get; }

    public UsageRecorder Recorder { get; }

    public UsageBudgetGuard Guard { get; }

    public UsageQuery Query { get; }

    public UsageAlertMonitor Monitor { get; }

    public RecordingAlertSink Alerts { get; } = new();

    public static async Task<UsageHarness> CreateAsync(
        FakeClock? clock = null,
        IUsageStore? store = null,
        IKeyStore? keys = null,
        Action<UsageTrackingOptions>? configure = null,
        params (KeyReference Key, UsageLimits Limits)[] managed)
    {
        keys ??= new InMemoryKeyStore();
        foreach (var (key, limits) in managed)
        {
            await keys.CreateAsync(new ManagedKey { Reference = key, Limits = limits });
        }

        var options = new UsageTrackingOptions();
        configure?.Invoke(options);
        var harness = new UsageHarness(clock ?? FakeClock.FromUtc(2026, 3, 10, 12, 0, 0), store ?? new InMemoryUsageStore(), keys, options, new RecordingLoggerProvider());
        await harness.Recorder.RefreshAsync();
        return harness;
    }

    public static UsageLimits Limits(params UsageLimit[] limits) => new() { Limits = limits };

    public static UsageLimits Limits(decimal[] thresholds, params UsageLimit[] limits) => new() { Limits = limits, AlertThresholds = thresholds };

    public void Record(KeyReference key, string? model, long input, long output, int times = 1, ProviderErrorKind? error = null, string? version = "v1")
    {
        for (var i = 0; i < times; i++)
        {
            Recorder.Record(new UsageSample(key, Clock.GetCurrentInstant(), model, input, output, error, version));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Recorder.DisposeAsync();
        Cache.Dispose();
        _loggers.Dispose();
    }
}

internal sealed class RecordingAlertSink : IUsageAlertSink
{
    private readonly List<UsageAlert> _alerts = [];

    public IReadOnlyList<UsageAlert> Alerts
    {
        get
        {
            lock (_alerts)
            {
                return [.. _alerts];
            }
        }
    }

    public ValueTask SendAsync(UsageAlert alert, CancellationToken cancellationToken = default)
    {
        lock (_alerts)
        {
            _alerts.Add(alert);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A store that fails appends while <see cref="Down"/> is set, like an unreachable database.</summary>
internal sealed class FlakyUsageStore : IUsageStore
{
    private readonly InMemoryUsageStore _inner = new();

    public bool Down { get; set; }

    public int FailedAppends { get; private set; }

    public List<IReadOnlyCollection<UsageRecord>> Batches { get; } = [];

    public Task AppendAsync(IReadOnlyCollection<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        if (Down)
        {
            FailedAppends++;
            throw new IronCageException("The usage store is unreachable.");
        }

        Batches.Add([.. records]);
        return _inner.AppendAsync(records, cancellationToken);
    }

    public Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageAggregateQuery query, CancellationToken cancellationToken = default)
        => Down ? throw new IronCageException("The usage store is unreachable.") : _inner.AggregateAsync(query, cancellationToken);

    public Task<BudgetReservationResult> TryReserveAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken = default)
        => _inner.TryReserveAsync(reservation, limit, cancellationToken);

    public Task<bool> SettleAsync(Guid reservationId, decimal actualAmount, CancellationToken cancellationToken = default)
        => Down ? throw new IronCageException("The usage store is unreachable.") : _inner.SettleAsync(reservationId, actualAmount, cancellationToken);

    public Task<decimal> GetCommittedAsync(string budget, Instant windowStart, CancellationToken cancellationToken = default)
        => _inner.GetCommittedAsync(budget, windowStart, cancellationToken);
}
