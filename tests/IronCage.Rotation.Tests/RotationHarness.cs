using System.Collections.Concurrent;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>
/// One rotation engine over a fake provider, fake clock and in-memory stores. Several harnesses can share one set of
/// stores and one fake provider to stand for several host instances (or a restarted process).
/// </summary>
internal sealed class RotationHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public RotationHarness(FakeProviderAdapter provider, FakeClock? clock = null, SharedState? shared = null, Action<RotationOptions>? configure = null, Action<IIronCageBuilder>? extend = null)
    {
        Provider = provider;
        Clock = clock ?? FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        Shared = shared ?? new SharedState();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Shared.Logs));
        services.AddSingleton<IClock>(Clock);
        services.AddSingleton<IKeyStore>(Shared.Keys);
        services.AddSingleton<IAuditLog>(Shared.Audit);
        services.AddSingleton<IRotationStore>(Shared.Operations);
        services.AddSingleton<IRotationEventSubscriber>(Shared.Events);
        var ironCage = services.AddIronCage()
            .ProtectKeysWithMasterKey(Shared.MasterKey)
            .AddProviderAdapter(provider)
            .AddRotation(o =>
            {
                o.RetryDelay = TimeSpan.Zero;
                o.MaxRetryDelay = TimeSpan.Zero;
                o.Backoff = Duration.FromMinutes(1);
                configure?.Invoke(o);
            })
            .AddRotationScheduler(o => o.MaxParallelism = 8);
        extend?.Invoke(ironCage);
        _services = services.BuildServiceProvider();
    }

    public FakeProviderAdapter Provider { get; }

    public FakeClock Clock { get; }

    public SharedState Shared { get; }

    public IServiceProvider Services => _services;

    public IKeyRotator Rotator => _services.GetRequiredService<IKeyRotator>();

    public RotationScheduler Scheduler => _services.GetRequiredService<RotationScheduler>();

    public IKeyStore Keys => Shared.Keys;

    public IRotationStore Operations => Shared.Operations;

    public ISecretProtector Protector => _services.GetRequiredService<ISecretProtector>();

    public static KeyReference Reference(ProviderId provider, string name = "prod") => new(provider, name);

    /// <summary>Registers a managed key whose current value exists at the fake provider.</summary>
    public async Task<(ManagedKey Key, SecretValue Secret)> RegisterAsync(string name = "prod", RotationPolicy? policy = null, Instant? expiresAt = null)
    {
        var reference = Reference(Provider.Provider, name);
        var context = new ProviderKeyContext { Key = reference };
        if (Provider.Capabilities.HasFlag(ProviderCapabilities.Generate))
        {
            // A generated key's first value is generated too: there is nothing to register by hand.
            var generated = await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = reference, Policy = policy ?? RotationPolicy.Default });
            Provider.ClearCalls();
            return (generated, await OpenAsync(generated.CurrentVersion!, reference));
        }

        SecretValue secret;
        string providerKeyId;
        if (Provider.Capabilities.HasFlag(ProviderCapabilities.Regenerate) && !Provider.Capabilities.HasFlag(ProviderCapabilities.Create))
        {
            using var slot = await Provider.RegenerateSlotAsync(context, "Key1");
            secret = slot.Secret.Clone();
            providerKeyId = "Key1";
        }
        else
        {
            secret = FakeKeys.Generate(Provider.Provider);
            providerKeyId = Provider.AddExistingKey(secret, "initial-" + name);
        }

        var key = await Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = providerKeyId, Policy = policy ?? RotationPolicy.Default, ExpiresAt = expiresAt }, secret);
        Provider.ClearCalls();
        return (key, secret);
    }

    public async Task<SecretValue> OpenAsync(KeyVersion version, KeyReference key)
        => await Protector.OpenAsync(version.Secret, new SecretBinding(key, version.VersionId));

    /// <summary>Asserts what must hold after every scenario.</summary>
    public async Task AssertInvariantsAsync(KeyReference reference, int maxLiveKeys = 2)
    {
        var key = await Keys.GetAsync(reference);
        key.Versions.Count(v => v.Stage == KeyStage.Current).Should().Be(1, "exactly one version is Current");
        var current = key.CurrentVersion!;
        using (var secret = await OpenAsync(current, reference))
        {
            Provider.IsAccepted(secret).Should().BeTrue("the current key works at the provider (no secret lost)");
        }

        Provider.LiveKeyIds.Count.Should().BeLessThanOrEqualTo(maxLiveKeys, "no key is left live at the provider beyond the allowed set");
        (await Shared.Audit.VerifyAsync()).IsValid.Should().BeTrue("the audit chain verifies");
    }

    public void Dispose() => _services.Dispose();

    internal sealed class SharedState
    {
        public string MasterKey { get; } = LocalMasterKeyProvider.GenerateMasterKey();

        public InMemoryKeyStore Keys { get; } = new();

        public InMemoryAuditLog Audit { get; } = new();

        public InMemoryRotationStore Operations { get; } = new();

        public RecordingEvents Events { get; } = new();

        public RecordingLogs Logs { get; } = new();
    }

    internal sealed class RecordingEvents : IRotationEventSubscriber
    {
        private readonly ConcurrentQueue<RotationEvent> _events = new();

        public IReadOnlyList<RotationEvent> All => [.. _events];

        public ValueTask OnEventAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default)
        {
            _events.Enqueue(rotationEvent);
            return ValueTask.CompletedTask;
        }
    }

    internal sealed class RecordingLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = $"{logLevel} {category}: {formatter(state, exception)} {exception}";
                owner._lines.Enqueue(line);
                SecretLeakRegistry.Shared.Capture(line);
            }
        }
    }
}
