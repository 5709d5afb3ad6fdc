using System.Collections.Concurrent;
using System.Net;
using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests;

/// <summary>
/// One catalog: a descriptor the host registers (its verify call, console URL and slots) is what rotation,
/// verification, planning and reminders use, and a custom provider with an adapter keeps the tier its capabilities give.
/// </summary>
public sealed class HostCatalogTests
{
    private static readonly ProviderId Acme = new("acme");
    private static readonly Uri AcmeConsole = new("https://console.acme.test/keys");

    [Fact]
    public async Task RotateAsync_CustomProviderWithAdapterThatCannotVerify_RotatesAutomaticallyThroughHostVerifyCall()
    {
        var provider = new FakeProviderAdapter(Acme, ProviderCapabilities.Create | ProviderCapabilities.Delete | ProviderCapabilities.List);
        var verify = new RecordingHandler();
        using var harness = new RotationHarness(provider, extend: b => WithDescriptor(b, AcmeDescriptor(), verify));
        var (registered, _) = await harness.RegisterAsync();
        var atRegistration = verify.Requests.Count;

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled, new RotationRequest { GracePeriod = Duration.Zero });

        operation.Tier.Should().Be(RotationTier.Automatic, "a custom provider whose adapter creates and deletes keys is not demoted to Manual");
        operation.Step.Should().Be(RotationStep.Completed);
        var key = await harness.Keys.GetAsync(registered.Reference);
        using var current = await harness.OpenAsync(key.CurrentVersion!, registered.Reference);
        var call = verify.Requests.Skip(atRegistration).Should().ContainSingle("the new key was verified with the host descriptor's verify call").Subject;
        call.Uri.Should().Be(new Uri("https://api.acme.test/v1/whoami"));
        call.Authorization.Should().Be("Bearer " + current.Reveal());
        harness.Shared.Events.All.OfType<RotationStarted>().Should().ContainSingle().Which.Tier.Should().Be(RotationTier.Automatic);
    }

    [Fact]
    public async Task PlanAsync_CustomProviderWithAdapter_PlansItsOwnTier()
    {
        var provider = new FakeProviderAdapter(Acme, ProviderCapabilities.Create | ProviderCapabilities.Delete | ProviderCapabilities.List);
        using var harness = new RotationHarness(provider, extend: b => WithDescriptor(b, AcmeDescriptor(), new RecordingHandler()));
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { Schedule = RotationSchedule.Monthly });

        var plan = await harness.Rotator.PlanAsync(harness.Clock.GetCurrentInstant() + Duration.FromDays(40));

        var item = plan.Items.Should().ContainSingle(i => i.Key == registered.Reference).Subject;
        item.Tier.Should().Be(RotationTier.Automatic);
        item.Action.Should().Be(PlannedAction.Rotate);
    }

    [Fact]
    public async Task RegisterAsync_VerifyRequested_UsesHostVerifyCall()
    {
        var provider = new FakeProviderAdapter(Acme, ProviderCapabilities.Create | ProviderCapabilities.Delete | ProviderCapabilities.List);
        var verify = new RecordingHandler();
        using var harness = new RotationHarness(provider, extend: b => WithDescriptor(b, AcmeDescriptor(), verify));
        using var secret = FakeKeys.Generate(Acme);
        var id = provider.AddExistingKey(secret);

        await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = new KeyReference(Acme, "prod"), ProviderKeyId = id, Verify = true }, secret);

        verify.Requests.Should().ContainSingle().Which.Authorization.Should().Be("Bearer " + secret.Reveal());
    }

    [Fact]
    public async Task RotateAsync_HostDescriptorNamesItsOwnSlots_AlternatesBetweenThem()
    {
        var slotted = new ProviderId("acme-slots");
        var provider = new FakeProviderAdapter(slotted, ProviderCapabilities.Regenerate | ProviderCapabilities.List | ProviderCapabilities.Verify, slots: ["primary", "secondary"]);
        var descriptor = new ProviderDescriptor(slotted, "Acme Slots") { ConsoleUrl = AcmeConsole, Capabilities = ProviderCapabilities.Regenerate | ProviderCapabilities.List, KeySlots = ["primary", "secondary"] };
        using var harness = new RotationHarness(provider, extend: b => WithDescriptor(b, descriptor, new RecordingHandler()));
        var reference = new KeyReference(slotted, "prod");
        using (var initial = await provider.RegenerateSlotAsync(new ProviderKeyContext { Key = reference }, "primary"))
        {
            var registered = await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = "primary", Verify = false }, initial.Secret);
            registered.CurrentVersion!.Slot.Should().Be("primary");
        }

        provider.ClearCalls();
        var first = await harness.Rotator.RotateAsync(reference, RotationReason.Compromised);
        var second = await harness.Rotator.RotateAsync(reference, RotationReason.Compromised);

        first.Step.Should().Be(RotationStep.Completed);
        second.Step.Should().Be(RotationStep.Completed);
        provider.CallsTo(FakeProviderOperation.Regenerate).Select(c => c.ProviderKeyId).Should().Equal("secondary", "primary", "primary", "secondary");
        (await harness.Keys.GetAsync(reference)).CurrentVersion!.Slot.Should().Be("primary");
    }

    [Fact]
    public async Task RegisterAsync_SlotNotNamedByHostDescriptor_Throws()
    {
        var slotted = new ProviderId("acme-slots");
        var provider = new FakeProviderAdapter(slotted, ProviderCapabilities.Regenerate | ProviderCapabilities.List | ProviderCapabilities.Verify, slots: ["primary", "secondary"]);
        var descriptor = new ProviderDescriptor(slotted, "Acme Slots") { ConsoleUrl = AcmeConsole, Capabilities = ProviderCapabilities.Regenerate | ProviderCapabilities.List, KeySlots = ["primary", "secondary"] };
        using var harness = new RotationHarness(provider, extend: b => WithDescriptor(b, descriptor, new RecordingHandler()));
        using var secret = FakeKeys.Generate(slotted);

        var act = async () => await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = new KeyReference(slotted, "prod"), ProviderKeyId = "Key1", Verify = false }, secret);

        (await act.Should().ThrowAsync<IronCageException>()).WithMessage("*primary or secondary*");
    }

    [Fact]
    public async Task RunDueAsync_ManualCustomProvider_RemindsWithHostConsoleUrl()
    {
        var manual = new ProviderId("acme-manual");
        var provider = new FakeProviderAdapter(manual, ProviderCapabilities.None);
        var descriptor = new ProviderDescriptor(manual, "Acme Manual") { ConsoleUrl = AcmeConsole };
        using var harness = new RotationHarness(provider, extend: b => WithDescriptor(b, descriptor, new RecordingHandler()));
        var reference = new KeyReference(manual, "prod");
        using var secret = FakeKeys.Generate(manual);
        await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, Policy = new RotationPolicy { Schedule = RotationSchedule.Monthly }, Verify = false }, secret);
        var due = harness.Clock.GetCurrentInstant() + Duration.FromDays(40);

        var plan = await harness.Rotator.PlanAsync(due);
        var result = await harness.Scheduler.RunDueAsync(due);

        plan.Items.Should().ContainSingle(i => i.Key == reference).Which.Detail.Should().Contain(AcmeConsole.ToString());
        result.Reminders.Should().Be(1);
        harness.Shared.Events.All.OfType<RotationOverdue>().Should().ContainSingle().Which.ConsoleUrl.Should().Be(AcmeConsole);
    }

    private static ProviderDescriptor AcmeDescriptor() => new(Acme, "Acme")
    {
        ConsoleUrl = AcmeConsole,
        Capabilities = ProviderCapabilities.Create | ProviderCapabilities.Delete | ProviderCapabilities.List | ProviderCapabilities.Verify,
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.acme.test/v1/whoami"),
    };

    private static void WithDescriptor(IIronCageBuilder builder, ProviderDescriptor descriptor, RecordingHandler verify)
    {
        builder.Services.Configure<IronCageOptions>(o => o.AddProvider(descriptor));
        builder.Services.AddHttpClient(IronCageConstants.VerifyHttpClientName).ConfigurePrimaryHttpMessageHandler(() => verify);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        private readonly ConcurrentQueue<(Uri Uri, string? Authorization)> _requests = new();

        public IReadOnlyList<(Uri Uri, string? Authorization)> Requests => [.. _requests];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _requests.Enqueue((request.RequestUri!, request.Headers.Authorization?.ToString()));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
        }
    }
}
