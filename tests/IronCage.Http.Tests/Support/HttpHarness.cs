using IronCage.Core.Tests.Support;
using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Http.Tests.Support;

/// <summary>
/// A host with AddIronCage, an in-memory key store (optionally without its change feed, to stand for another
/// instance's write), a fake clock, recorded logs and usage, and HttpClients whose primary handler is scripted.
/// </summary>
internal sealed class HttpHarness : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<string> _secrets = [];

    public HttpHarness(Action<IIronCageBuilder>? configure = null, Action<IServiceCollection, ScriptedHandler>? services = null, bool storeAnnouncesChanges = true)
    {
        Store = storeAnnouncesChanges ? new InMemoryKeyStore() : new SilentKeyStore(new InMemoryKeyStore());
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        collection.AddSingleton<IClock>(Clock);
        collection.AddSingleton(Store);
        collection.AddSingleton<IUsageRecorder>(Usage);
        var builder = collection.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddKeyResolver();
        configure?.Invoke(builder);
        services?.Invoke(collection, Provider);
        _services = collection.BuildServiceProvider();
    }

    public FakeClock Clock { get; } = FakeClock.FromUtc(2026, 11, 22, 9, 0, 0);

    public IKeyStore Store { get; }

    public RecordingLoggerProvider Logs { get; } = new();

    public RecordingUsageRecorder Usage { get; } = new();

    public ScriptedHandler Provider { get; } = new();

    public IServiceProvider Services => _services;

    public IKeyResolver Resolver => _services.GetRequiredService<IKeyResolver>();

    /// <summary>Gets every secret value the harness created, for leak searches.</summary>
    public IReadOnlyList<string> Secrets => _secrets;

    public static IServiceCollection Client(IServiceCollection services, string name, Func<IHttpClientBuilder, IHttpClientBuilder> addIronCage, ScriptedHandler primary)
    {
        addIronCage(services.AddHttpClient(name)).ConfigurePrimaryHttpMessageHandler(() => primary);
        return services;
    }

    public HttpClient CreateClient(string name) => _services.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    public string NewSecret(ProviderId provider)
    {
        var secret = FakeKeys.GenerateText(provider);
        _secrets.Add(secret);
        return secret;
    }

    /// <summary>Stores a managed key whose current version holds <paramref name="secret"/>.</summary>
    public async Task<ManagedKey> AddKeyAsync(string reference, string secret, Instant? expiresAt = null, UsageLimits? limits = null)
    {
        var key = KeyReference.Parse(reference);
        var version = await VersionAsync(key, secret, KeyStage.Current, expiresAt);
        return await Store.CreateAsync(new ManagedKey { Reference = key, Versions = [version], Limits = limits ?? UsageLimits.None });
    }

    /// <summary>Promotes a new version holding <paramref name="secret"/>, as a rotation does; the old one becomes Previous.</summary>
    public async Task<ManagedKey> RotateAsync(string reference, string secret)
    {
        var key = KeyReference.Parse(reference);
        var managed = await Store.GetAsync(key);
        var version = await VersionAsync(key, secret, KeyStage.Current, null);
        var versions = managed.Versions.Select(v => v.Stage == KeyStage.Current ? v with { Stage = KeyStage.Previous } : v).Append(version).ToList();
        return await Store.UpdateAsync(managed with { Versions = versions });
    }

    /// <summary>Kills the current version, as the kill switch does.</summary>
    public async Task KillAsync(string reference)
    {
        var key = KeyReference.Parse(reference);
        var managed = await Store.GetAsync(key);
        var versions = managed.Versions.Select(v => v.Stage == KeyStage.Current ? v with { KilledAt = Clock.GetCurrentInstant() } : v).ToList();
        await Store.UpdateAsync(managed with { Versions = versions });
    }

    public void Dispose() => _services.Dispose();

    private async Task<KeyVersion> VersionAsync(KeyReference key, string secret, KeyStage stage, Instant? expiresAt)
    {
        if (!_secrets.Contains(secret))
        {
            _secrets.Add(secret);
        }

        using var value = SecretValue.FromString(secret);
        var versionId = KeyVersion.NewVersionId();
        var protector = _services.GetRequiredService<ISecretProtector>();
        return new KeyVersion
        {
            VersionId = versionId,
            Stage = stage,
            CreatedAt = Clock.GetCurrentInstant(),
            ActivatedAt = Clock.GetCurrentInstant(),
            ExpiresAt = expiresAt,
            DisplayHint = value.DisplayHint,
            Fingerprint = _services.GetRequiredService<ISecretFingerprinter>().Compute(value),
            Secret = await protector.SealAsync(value, new SecretBinding(key, versionId)),
        };
    }
}
