using System.Collections.Concurrent;
using System.Net;
using IronCage.Providers;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Core.Tests.Verification;

/// <summary>
/// <see cref="IKeyVerifier"/> is the one verification path: a registered adapter that verifies answers for its
/// provider, the catalog's verify call (a host descriptor's included) answers for every other, and an adapter that asks
/// <see cref="IKeyVerifier"/> from its own verification gets the catalog's answer instead of a loop.
/// </summary>
public sealed class KeyVerifierTests
{
    private const string AdapterAnswer = "answered by the adapter";
    private const string WhoAmI = "https://api.acme.test/v1/whoami";
    private static readonly ProviderId Acme = new("acme");

    [Fact]
    public async Task VerifyAsync_ManagedKeyOfProviderWithVerifyingAdapter_AsksTheAdapterWithTheKeysContext()
    {
        var adapter = new RecordingAdapter(ProviderCapabilities.Create | ProviderCapabilities.Verify);
        using var harness = Harness(s => s.AddSingleton<IProviderAdapter>(adapter));
        var context = new ProviderKeyContext { Key = new KeyReference(Acme, "prod"), Kind = KeyKind.Inference, Scope = new Dictionary<string, string> { ["region"] = "eu" } };
        using var key = SecretValue.FromString("acme-0123456789abcdef");

        var result = await harness.Verifier.VerifyAsync(context, key);

        result.Message.Should().EndWith(AdapterAnswer);
        adapter.Contexts.Should().ContainSingle().Which.Should().Be(context);
        harness.LastRequest.Should().BeNull("the catalog's verify call is not sent when the adapter verifies");
    }

    [Fact]
    public async Task VerifyAsync_AdapterThatCannotVerify_RunsTheHostDescriptorsVerifyCall()
    {
        var adapter = new RecordingAdapter(ProviderCapabilities.Create | ProviderCapabilities.Delete);
        using var harness = Harness(s => s.AddSingleton<IProviderAdapter>(adapter));
        harness.Expect(HttpMethod.Get, WhoAmI, HttpStatusCode.OK, "{}");
        using var key = SecretValue.FromString("acme-0123456789abcdef");

        var result = await harness.Verifier.VerifyAsync(new ProviderKeyContext { Key = new KeyReference(Acme, "prod") }, key);

        result.IsValid.Should().BeTrue(result.Message);
        harness.LastRequest!.Headers["Authorization"].Should().Be("Bearer " + key.Reveal());
        adapter.Contexts.Should().BeEmpty();
    }

    [Fact]
    public async Task VerifyAsync_AdapterThatAsksIKeyVerifierFromItsOwnVerification_IsAnsweredByTheCatalogOnce()
    {
        using var harness = Harness(s => s.AddSingleton<IProviderAdapter, SelfReferringAdapter>());
        harness.Expect(HttpMethod.Get, WhoAmI, HttpStatusCode.OK, "{}");
        using var key = SecretValue.FromString("acme-0123456789abcdef");

        var result = await harness.Verifier.VerifyAsync(new ProviderKeyContext { Key = new KeyReference(Acme, "prod") }, key);

        result.IsValid.Should().BeTrue(result.Message);
        harness.Mock.VerifyNoOutstandingExpectation();
        harness.Get<IEnumerable<IProviderAdapter>>().OfType<SelfReferringAdapter>().Single().Calls.Should().Be(1, "the adapter is asked once; its own call to IKeyVerifier goes to the catalog");
    }

    [Fact]
    public async Task VerifyAsync_UnmanagedKeyOfProviderWithVerifyingAdapter_GivesTheParametersAsScope()
    {
        var adapter = new RecordingAdapter(ProviderCapabilities.Verify);
        using var harness = Harness(s => s.AddSingleton<IProviderAdapter>(adapter));
        using var key = SecretValue.FromString("acme-admin-0123456789abcdef");

        var result = await harness.Verifier.VerifyAsync(Acme, key, new KeyVerificationOptions { Kind = KeyKind.Admin, Parameters = new Dictionary<string, string> { ["region"] = "eu" } });

        result.Message.Should().EndWith(AdapterAnswer);
        var context = adapter.Contexts.Should().ContainSingle().Subject;
        context.Key.Provider.Should().Be(Acme);
        context.Kind.Should().Be(KeyKind.Admin);
        context.Scope.Should().Equal(new Dictionary<string, string> { ["region"] = "eu" });
    }

    [Fact]
    public async Task VerifyAsync_BaseAddressGiven_RunsTheCatalogCallThereEvenWithAVerifyingAdapter()
    {
        var adapter = new RecordingAdapter(ProviderCapabilities.Verify);
        using var harness = Harness(s => s.AddSingleton<IProviderAdapter>(adapter));
        harness.Expect(HttpMethod.Get, "https://proxy.test:8443/v1/whoami", HttpStatusCode.OK, "{}");
        using var key = SecretValue.FromString("acme-0123456789abcdef");

        var result = await harness.Verifier.VerifyAsync(Acme, key, new KeyVerificationOptions { BaseAddress = new Uri("https://proxy.test:8443") });

        result.IsValid.Should().BeTrue(result.Message);
        adapter.Contexts.Should().BeEmpty();
    }

    [Fact]
    public async Task VerifyAsync_ProviderWithoutAdapterOrDescriptor_ThrowsUnknownProvider()
    {
        using var harness = Harness(_ => { });
        using var key = SecretValue.FromString("nobody-0123456789abcdef");

        var act = () => harness.Verifier.VerifyAsync(new ProviderKeyContext { Key = new KeyReference(new ProviderId("nobody"), "prod") }, key);

        await act.Should().ThrowAsync<UnknownProviderException>();
    }

    private static VerifierHarness Harness(Action<IServiceCollection> services)
        => new(o => o.AddProvider(new ProviderDescriptor(Acme, "Acme")
        {
            ConsoleUrl = new Uri("https://console.acme.test/keys"),
            Capabilities = ProviderCapabilities.Create | ProviderCapabilities.Verify,
            VerifyCall = new VerifyCall(HttpMethod.Get, WhoAmI),
        }), services);

    private sealed class RecordingAdapter(ProviderCapabilities capabilities) : ProviderAdapter
    {
        private readonly ConcurrentQueue<ProviderKeyContext> _contexts = new();

        public IReadOnlyList<ProviderKeyContext> Contexts => [.. _contexts];

        public override ProviderId Provider => Acme;

        public override ProviderCapabilities Capabilities => capabilities;

        public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
        {
            _contexts.Enqueue(context);
            return Task.FromResult(KeyVerificationResult.Unreachable(Provider, AdapterAnswer));
        }
    }

    /// <summary>An adapter written the way the built-in ones were before the split: its verification asks <see cref="IKeyVerifier"/>.</summary>
    private sealed class SelfReferringAdapter(IKeyVerifier verifier) : ProviderAdapter
    {
        private int _calls;

        public int Calls => _calls;

        public override ProviderId Provider => Acme;

        public override ProviderCapabilities Capabilities => ProviderCapabilities.Verify;

        public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return verifier.VerifyAsync(Provider, key, new KeyVerificationOptions { Kind = context.Kind }, cancellationToken);
        }
    }
}
