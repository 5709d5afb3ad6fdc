using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;
using IronCage.Encryption;
using IronCage.Http.Tests.Support;
using IronCage.Internal;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Http.Tests;

/// <summary>The runtime path's seams: a host's own resolver, key health and rate limiter are the ones the handlers use, and the handlers come in the documented order.</summary>
public sealed class HandlerSeamTests
{
    private const string RateLimited = """{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
    private static readonly Uri Chat = new("https://api.example.test/v1/chat/completions");

    [Fact]
    public async Task AddIronCageKey_HostRegisteredKeyResolver_IsTheOneTheHandlerUses()
    {
        var primary = new ScriptedHandler();
        var resolver = new HostResolver();
        var services = Services(primary, b => b.AddIronCageKey("openai/prod"));
        services.AddSingleton<IKeyResolver>(resolver);
        using var provider = services.AddIronCageWithResolver().BuildServiceProvider();
        resolver.Provider = Descriptor(provider);

        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm").PostAsync(Chat, Json());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        resolver.Calls.Should().Be(1);
        primary.Sent.Single().Header("Authorization").Should().Be($"Bearer {resolver.Secret}");
    }

    [Fact]
    public async Task AddIronCageKeyPool_HostRegisteredKeyHealth_IsToldOfThe429AndAskedBeforeTheNextResolve()
    {
        var health = new RecordingHealth();
        using var harness = new HttpHarness(
            b => b.AddKeyPool("chat", PoolStrategy.Priority, "openai/a", "openai/b").Services.AddSingleton<IKeyHealth>(health),
            (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKeyPool("chat"), primary));
        harness.Services.GetRequiredService<IKeyHealth>().Should().BeSameAs(health);
        await AddPoolAsync(harness);
        harness.Provider.Then(429, RateLimited, ("retry-after", "30"));
        var client = harness.CreateClient("llm");

        (await client.PostAsync(Chat, Json())).Dispose();
        (await client.PostAsync(Chat, Json())).Dispose();

        health.Restricted.Should().ContainSingle().Which.Should().Be(KeyReference.Parse("openai/a"));
        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal($"Bearer {harness.Secrets[0]}", $"Bearer {harness.Secrets[1]}", $"Bearer {harness.Secrets[1]}");
    }

    [Fact]
    public async Task AddIronCageKey_HostRegisteredClientRateLimiter_RefusesBeforeAnythingIsSent()
    {
        using var harness = new HttpHarness(
            b => b.Services.AddSingleton<IClientRateLimiter>(new RefusingLimiter()),
            (s, primary) => HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));

        var act = () => harness.CreateClient("llm").PostAsync(Chat, Json());

        (await act.Should().ThrowAsync<NoUsableKeyException>()).Which.Skipped.Single().Detail.Should().Be("the host's shared limit is reached");
        harness.Provider.Sent.Should().BeEmpty();
    }

    [Fact]
    public void AddIronCageKey_WithoutUsageTracking_AddsOnlyTheKeyHandler()
    {
        var services = Services(new ScriptedHandler(), b => b.AddIronCageKey("openai/prod"));
        using var provider = services.AddIronCageWithResolver().BuildServiceProvider();

        Chain(provider).Should().Equal(typeof(IronCageKeyHandler));
    }

    [Fact]
    public void AddIronCageKey_WithUsageTracking_AddsTheKeyHandlerThenTheUsageHandler()
    {
        var services = Services(new ScriptedHandler(), b => b.AddIronCageKey("openai/prod"));
        services.AddIronCage().AddUsageTracking();
        using var provider = services.AddIronCageWithResolver().BuildServiceProvider();

        Chain(provider).Should().Equal(typeof(IronCageKeyHandler), typeof(IronCageUsageHandler));
    }

    private static List<Type> Chain(IServiceProvider provider)
    {
        var types = new List<Type>();
        for (var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("llm") as DelegatingHandler; handler is not null; handler = handler.InnerHandler as DelegatingHandler)
        {
            if (handler.GetType().Assembly == typeof(IKeyResolver).Assembly)
            {
                types.Add(handler.GetType());
            }
        }

        return types;
    }

    private static ServiceCollection Services(ScriptedHandler primary, Func<IHttpClientBuilder, IHttpClientBuilder> client)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        client(services.AddHttpClient("llm")).ConfigurePrimaryHttpMessageHandler(() => primary);
        return services;
    }

    private static ProviderDescriptor Descriptor(IServiceProvider provider)
        => provider.GetRequiredService<IProviderCatalog>().TryGetDescriptor(ProviderId.OpenAI, out var descriptor) ? descriptor : throw new InvalidOperationException("OpenAI is built in.");

    private static async Task AddPoolAsync(HttpHarness harness)
    {
        await harness.AddKeyAsync("openai/a", harness.NewSecret(ProviderId.OpenAI));
        await harness.AddKeyAsync("openai/b", harness.NewSecret(ProviderId.OpenAI));
    }

    private static StringContent Json() => new("""{"model":"gpt-4o","max_tokens":10}""", Encoding.UTF8, "application/json");

    /// <summary>A host's resolver: one key from somewhere other than IronCage's store.</summary>
    private sealed class HostResolver : IKeyResolver
    {
        private ResolvedKey? _key;

        public event EventHandler<KeyChangedEventArgs>? KeyChanged;

        public string Secret { get; } = FakeKeys.GenerateText(ProviderId.OpenAI);

        public ProviderDescriptor? Provider { get; set; }

        public int Calls { get; private set; }

        public ValueTask<ResolvedKey> ResolveAsync(KeyReference key, CancellationToken cancellationToken = default)
        {
            Calls++;
            _key ??= new ResolvedKey(key, "host-v1", "sk-...host", Provider!, SecretValue.FromString(Secret));
            return new ValueTask<ResolvedKey>(_key);
        }

        public ValueTask<ResolvedKey> ResolvePoolAsync(string pool, IReadOnlyCollection<KeyReference>? exclude = null, CancellationToken cancellationToken = default)
            => throw new ArgumentException("This host resolver has no pools.", nameof(pool));

        public void Invalidate(KeyReference key) => KeyChanged?.Invoke(this, new KeyChangedEventArgs(key));
    }

    private sealed class RecordingHealth : IKeyHealth
    {
        private readonly KeyHealth _inner = new();

        public List<KeyReference> Restricted { get; } = [];

        public bool HasRestrictions => _inner.HasRestrictions;

        public void Restrict(ResolvedKey key, KeyRestriction restriction)
        {
            Restricted.Add(key.Key);
            _inner.Restrict(key, restriction);
        }

        public KeyRestriction? GetRestriction(KeyReference key, string versionId, Instant now) => _inner.GetRestriction(key, versionId, now);

        public void ReportHeadroom(KeyReference key, double remaining) => _inner.ReportHeadroom(key, remaining);

        public double GetHeadroom(KeyReference key) => _inner.GetHeadroom(key);
    }

    private sealed class RefusingLimiter : IClientRateLimiter
    {
        public bool CountsTokens(KeyReference key) => false;

        public bool TryAcquire(KeyReference key, int tokens, [NotNullWhen(false)] out KeySkip? skip)
        {
            skip = new KeySkip(key, KeySkipReason.RateLimited, "the host's shared limit is reached");
            return false;
        }
    }
}

/// <summary>Registration helpers of the seam tests.</summary>
internal static class SeamTestServices
{
    public static ServiceCollection AddIronCageWithResolver(this ServiceCollection services)
    {
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddKeyResolver();
        return services;
    }
}
