using System.Collections.Concurrent;
using IronCage.Conformance;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Providers.Tests;

/// <summary>Records every log line (category, message, structured state, exception) so tests can search it for secrets.</summary>
internal sealed class RecordingLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Asserts that no recorded text contains any of <paramref name="secrets"/>.</summary>
    public void ShouldNotContainAny(IEnumerable<string> secrets)
    {
        var lines = Lines;
        lines.Should().NotBeEmpty("the adapter tests log what they do");
        foreach (var secret in secrets)
        {
            lines.Where(l => l.Contains(secret, StringComparison.Ordinal)).Should().BeEmpty("no log line may contain a secret ({0})", secret[..6]);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            owner._lines.Enqueue($"scope {category}: {state}");
            SecretLeakRegistry.Shared.Capture($"scope {category}: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            var line = $"{logLevel} {category} [{eventId.Id}]: {formatter(state, exception)} | {values} | {exception}";
            owner._lines.Enqueue(line);
            SecretLeakRegistry.Shared.Capture(line);
        }
    }
}

/// <summary>IronCage with one provider package, the rotation engine and the scheduler, over a fake clock and in-memory stores.</summary>
internal sealed class ProviderHost : IDisposable
{
    private readonly ServiceProvider _services;

    public ProviderHost(Action<IIronCageBuilder> addProvider, string httpClientName, HttpMessageHandler? primaryHandler = null, FakeClock? clock = null, Action<IServiceCollection>? hostServices = null)
    {
        Clock = clock ?? FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var services = new ServiceCollection();
        // What the host itself registers before IronCage (for example ConfigureHttpClientDefaults).
        hostServices?.Invoke(services);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<IClock>(Clock);
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddRotation(o =>
            {
                o.RetryDelay = TimeSpan.Zero;
                o.MaxRetryDelay = TimeSpan.Zero;
            })
            .AddRotationScheduler();
        addProvider(builder);
        if (primaryHandler is not null)
        {
            services.AddHttpClient(httpClientName).ConfigurePrimaryHttpMessageHandler(() => primaryHandler);
        }

        _services = services.BuildServiceProvider();
    }

    public RecordingLogs Logs { get; } = new();

    public FakeClock Clock { get; }

    public IServiceProvider Services => _services;

    public IProviderAdapter Adapter => _services.GetServices<IProviderAdapter>().Single();

    public IKeyRotator Rotator => _services.GetRequiredService<IKeyRotator>();

    public RotationScheduler Scheduler => _services.GetRequiredService<RotationScheduler>();

    public IKeyStore Keys => _services.GetRequiredService<IKeyStore>();

    /// <summary>Opens a version's secret.</summary>
    public async Task<SecretValue> OpenAsync(KeyReference key, KeyVersion version)
        => await _services.GetRequiredService<ISecretProtector>().OpenAsync(version.Secret, new SecretBinding(key, version.VersionId));

    /// <summary>Ends the grace period: advances the clock past it and lets the scheduler revoke the previous key.</summary>
    public async Task FinishGraceAsync()
    {
        Clock.Advance(Duration.FromDays(2));
        await Scheduler.RunDueAsync(Clock.GetCurrentInstant());
    }

    public void Dispose() => _services.Dispose();
}

/// <summary>Reads the example bodies under TestData/.</summary>
internal static class TestData
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", name));
}

/// <summary>The adapter conformance suite against a provider emulator of its own per test; every adapter gets its own host.</summary>
public abstract class EmulatorConformanceTests : ProviderAdapterConformanceTests, IAsyncLifetime
{
    private readonly List<ProviderHost> _hosts = [];

    private protected ProviderEmulator Emulator { get; private set; } = null!;

    public async Task InitializeAsync() => Emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        _hosts.ForEach(h => h.Dispose());
        await Emulator.DisposeAsync();
    }

    private protected abstract ProviderHost CreateHost();

    protected override IProviderAdapter CreateAdapter()
    {
        var host = CreateHost();
        _hosts.Add(host);
        return host.Adapter;
    }
}
