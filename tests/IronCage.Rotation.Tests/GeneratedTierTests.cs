using System.Collections.Concurrent;
using IronCage.Encryption;
using IronCage.Notifications;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>
/// The <see cref="RotationTier.Generated"/> tier through the engine, against a generating adapter: the new key is
/// generated (no provider call creates it), verified, promoted; nothing is discarded or revoked at the provider; the
/// grace period ends at the old key's own expiry; the retirement says the old key stays valid until then. (Crashes and
/// provider failures at each step of this tier are in <see cref="FaultInjectionTests"/>.)
/// </summary>
public sealed class GeneratedTierTests : IDisposable
{
    private static readonly KeyReference Reference = new(ProviderId.AwsBedrockShortTerm, "prod");
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private readonly GeneratingAdapter _adapter;
    private readonly RecordingEvents _events = new();
    private readonly RotationHarness.RecordingLogs _logs = new();
    private readonly ServiceProvider _services;

    public GeneratedTierTests()
    {
        _adapter = new GeneratingAdapter(_clock);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));
        services.AddSingleton<IClock>(_clock);
        services.AddSingleton<IRotationEventSubscriber>(_events);
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddProviderAdapter(_adapter).AddRotation(o =>
        {
            o.RetryDelay = TimeSpan.Zero;
            o.MaxRetryDelay = TimeSpan.Zero;
        });
        _services = services.BuildServiceProvider();
    }

    private IKeyRotator Rotator => _services.GetRequiredService<IKeyRotator>();

    private IKeyStore Keys => _services.GetRequiredService<IKeyStore>();

    [Fact]
    public async Task RegisterGenerated_NoRenewalLead_GetsTheDefault_AndKeepsAPolicysOwn()
    {
        var plain = await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });
        var own = await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.AwsBedrockShortTerm, "batch"), Policy = new RotationPolicy { RenewBeforeExpiry = Duration.FromHours(2), KeyLifetime = Duration.FromHours(6) } });

        plain.Policy.RenewBeforeExpiry.Should().Be(IronCageConstants.DefaultRenewBeforeExpiry);
        plain.CurrentVersion!.ExpiresAt.Should().Be(_clock.GetCurrentInstant() + Duration.FromHours(12));
        plain.CurrentVersion.ProviderKeyId.Should().StartWith("gen-");
        own.Policy.RenewBeforeExpiry.Should().Be(Duration.FromHours(2));
        own.CurrentVersion!.ExpiresAt.Should().Be(_clock.GetCurrentInstant() + Duration.FromHours(6), "the policy's key lifetime is the longest the adapter may give");
        _adapter.Requests.Select(r => r.Lifetime).Should().Equal(null, Duration.FromHours(6));
        own.NextDueAt.Should().Be(_clock.GetCurrentInstant() + Duration.FromHours(4));
        var plan = await Rotator.PlanAsync(_clock.GetCurrentInstant() + Duration.FromHours(11));
        plan.Items.Should().Contain(i => i.Key == Reference && i.IsDue && i.Tier == RotationTier.Generated && i.Action == PlannedAction.Rotate);
    }

    [Fact]
    public async Task Rotate_GeneratesVerifiesPromotes_GraceEndsAtTheOldKeysExpiry_AndNothingIsRevokedAtTheProvider()
    {
        var registered = await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });
        var old = registered.CurrentVersion!;
        _clock.AdvanceHours(11);

        var operation = await Rotator.RotateAsync(Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.Generated);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.GraceEndsAt.Should().Be(old.ExpiresAt, "24 hours of grace would outlast the old key, which dies in one hour anyway");
        var during = await Keys.GetAsync(Reference);
        during.CurrentVersion!.ExpiresAt.Should().Be(_clock.GetCurrentInstant() + Duration.FromHours(12));

        _clock.AdvanceHours(1);
        var done = await Rotator.ResumeAsync(operation.OperationId);

        done.Step.Should().Be(RotationStep.Completed);
        (await Keys.GetAsync(Reference)).FindVersion(old.VersionId)!.Stage.Should().Be(KeyStage.Revoked);
        _adapter.Calls.Should().Equal("generate", "verify", "generate", "verify");
        var retired = _events.OfType<KeyRevoked>().Should().ContainSingle().Which;
        retired.Succeeded.Should().BeTrue();
        retired.LocalOnly.Should().BeTrue();
        retired.ValidUntil.Should().Be(old.ExpiresAt);
        retired.Type.Should().Be("key.retired_locally");
        retired.Severity.Should().Be(EventSeverity.Info);
        _logs.Lines.Should().Contain(l => l.Contains(old.VersionId) && l.Contains("nothing can revoke a generated key"));
    }

    [Fact]
    public async Task Revoke_GeneratedKey_SaysItStaysValidUntilItsExpiry_NeverThatItWasRevoked()
    {
        var registered = await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });

        var revoked = await Rotator.RevokeAsync(Reference, new RotationRequest { Note = "leaked" });

        revoked.Step.Should().Be(RotationStep.Completed);
        var retired = _events.OfType<KeyRevoked>().Should().ContainSingle().Which;
        retired.ValidUntil.Should().Be(registered.CurrentVersion!.ExpiresAt);
        retired.Describe().Should().Contain("Nothing can revoke it: it stays valid until it expires at").And.NotContain("was revoked.");
        _events.OfType<KeyKilled>().Should().ContainSingle("IronCage stops serving it at once");
    }

    [Fact]
    public async Task Rotate_NewKeyRefusedByTheProvider_RollsBackWithoutAnyProviderCall_AndKeepsTheCurrentKey()
    {
        var registered = await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });
        _adapter.RefuseNewKeys = true;

        var operation = await Rotator.RotateAsync(Reference, RotationReason.Scheduled);
        for (var round = 0; !operation.IsFinished && operation.NextAttemptAt is { } retryAt; round++)
        {
            round.Should().BeLessThan(10, "a refused key is verified a bounded number of times (a new key may take a moment to propagate)");
            _clock.Advance(retryAt - _clock.GetCurrentInstant());
            operation = await Rotator.ResumeAsync(operation.OperationId);
        }

        operation.Step.Should().Be(RotationStep.Failed);
        var key = await Keys.GetAsync(Reference);
        key.CurrentVersion!.VersionId.Should().Be(registered.CurrentVersion!.VersionId);
        key.Versions.Where(v => v.VersionId != registered.CurrentVersion.VersionId).Should().OnlyContain(v => v.Stage == KeyStage.Revoked);
        _adapter.Calls.Should().NotContain(c => c != "generate" && c != "verify", "there is nothing to delete or deactivate at the provider");
        _events.OfType<RotationFailed>().Should().ContainSingle().Which.Step.Should().Be(RotationStep.StoredPending);
    }

    [Fact]
    public async Task Rotate_AdapterGivesNoExpiry_IsRefused()
    {
        await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });
        _adapter.WithoutExpiry = true;

        var operation = await Rotator.RotateAsync(Reference, RotationReason.Manual);

        operation.Step.Should().Be(RotationStep.Failed);
        operation.LastError.Should().Contain("without an expiry");
    }

    [Fact]
    public async Task SupplyNewKey_GeneratedTier_IsRefused()
    {
        await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });
        using var supplied = FakeKeys.Generate(ProviderId.AwsBedrockShortTerm);

        await Rotator.Invoking(r => r.SupplyNewKeyAsync(Reference, supplied)).Should().ThrowAsync<IronCageException>().WithMessage("*use RotateAsync*");
    }

    [Fact]
    public async Task ChangePolicy_GeneratedKeyWithoutARenewalLead_KeepsTheDefault_AndAnOwnLeadMovesTheDueTime()
    {
        var registered = await Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });

        var withoutLead = await Rotator.ChangePolicyAsync(Reference, new RotationPolicy { GracePeriod = Duration.FromHours(2) });
        var ownLead = await Rotator.ChangePolicyAsync(Reference, new RotationPolicy { RenewBeforeExpiry = Duration.FromHours(3) });

        withoutLead.Policy.RenewBeforeExpiry.Should().Be(IronCageConstants.DefaultRenewBeforeExpiry, "a generated key that is never renewed would die at its expiry");
        withoutLead.Policy.GracePeriod.Should().Be(Duration.FromHours(2));
        ownLead.NextDueAt.Should().Be(registered.CurrentVersion!.ExpiresAt!.Value - Duration.FromHours(3));
    }

    public void Dispose() => _services.Dispose();

    private sealed class RecordingEvents : IRotationEventSubscriber
    {
        private readonly ConcurrentQueue<RotationEvent> _events = new();

        public IEnumerable<T> OfType<T>() => _events.OfType<T>();

        public ValueTask OnEventAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default)
        {
            _events.Enqueue(rotationEvent);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Generates keys of the short-term format, 12 hours by default; verifies those it generated, unless told to refuse new ones.</summary>
    private sealed class GeneratingAdapter(IClock clock) : ProviderAdapter, IKeyGeneratingProviderAdapter
    {
        private readonly ConcurrentDictionary<string, bool> _accepted = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> Calls { get; } = new();

        public ConcurrentQueue<GenerateProviderKeyRequest> Requests { get; } = new();

        public bool RefuseNewKeys { get; set; }

        public bool WithoutExpiry { get; set; }

        public override ProviderId Provider => ProviderId.AwsBedrockShortTerm;

        public override ProviderCapabilities Capabilities => ProviderCapabilities.Generate | ProviderCapabilities.Expiry | ProviderCapabilities.Verify;

        public Task<CreatedProviderKey> GenerateKeyAsync(GenerateProviderKeyRequest request, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("generate");
            Requests.Enqueue(request);
            var text = FakeKeys.GenerateText(Provider);
            _accepted[text] = !RefuseNewKeys;
            var lifetime = request.Lifetime is { } wanted && wanted < Duration.FromHours(12) ? wanted : Duration.FromHours(12);
            return Task.FromResult(new CreatedProviderKey("gen-" + Calls.Count, SecretValue.FromString(text)) { ExpiresAt = WithoutExpiry ? null : clock.GetCurrentInstant() + lifetime });
        }

        public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
        {
            Calls.Enqueue("verify");
            var good = _accepted.TryGetValue(key.Reveal(), out var accepted) && accepted;
            return Task.FromResult(KeyVerificationResult.FromClassification(new ProviderResponseClassification(Provider, good ? 200 : 401, good ? null : ProviderErrorKind.InvalidKey) { Message = good ? null : "The provider refused the key." }));
        }
    }
}
