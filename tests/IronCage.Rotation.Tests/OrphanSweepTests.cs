using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>
/// The orphan sweep for a provider whose keys carry no name (<see cref="ProviderDescriptor.CreateSetsKeyName"/> false,
/// as Amazon Bedrock's IAM credentials): a create that acted and then failed leaves a key found by its creation time.
/// </summary>
public sealed class OrphanSweepTests
{
    private static readonly ProviderId Unnamed = new("acme-iam");

    [Fact]
    public async Task RotateAsync_UnnamedKeysAndACreateThatActedThenFailed_RemovesTheOrphanAndNothingOlder()
    {
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = new FakeProviderAdapter(Unnamed, ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Delete | ProviderCapabilities.Verify, clock);
        using var harness = new RotationHarness(provider, clock, extend: b => b.Services.Configure<IronCageOptions>(o => o.AddProvider(Descriptor(createSetsKeyName: false))));
        using var other = FakeKeys.Generate(Unnamed);
        var othersKey = provider.AddExistingKey(other);
        var (registered, _) = await harness.RegisterAsync();
        clock.Advance(Duration.FromHours(1));
        provider.On(FakeProviderOperation.Create).FailAfterSideEffects(ProviderErrorKind.Transient);

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        var creates = provider.CallsTo(FakeProviderOperation.Create);
        creates.Should().HaveCount(2);
        var orphan = provider.Keys.Should().ContainSingle(k => k.Status == ProviderKeyStatus.Deleted && k.ProviderKeyId != registered.CurrentVersion!.ProviderKeyId).Subject;
        provider.LiveKeyIds.Should().BeEquivalentTo([othersKey, operation.NewProviderKeyId], "the orphan of the failed create and the old key are gone; a key created before the rotation was requested is not IronCage's to remove");
        orphan.CreatedAt.Should().Be(clock.GetCurrentInstant());
        await harness.AssertInvariantsAsync(registered.Reference);
    }

    [Fact]
    public async Task RotateAsync_NamedKeysAndACreateThatActedThenFailed_RemovesOnlyTheKeyWithTheAttemptsName()
    {
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = new FakeProviderAdapter(Unnamed, ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Delete | ProviderCapabilities.Verify, clock);
        using var harness = new RotationHarness(provider, clock, extend: b => b.Services.Configure<IronCageOptions>(o => o.AddProvider(Descriptor(createSetsKeyName: true))));
        var (registered, _) = await harness.RegisterAsync();
        provider.On(FakeProviderOperation.Create).FailAfterSideEffects(ProviderErrorKind.Transient);

        // A person's key in the same scope, created at the very instant the rotation is requested: it has its own name,
        // so it is not swept (by creation time alone it would be).
        using var person = FakeKeys.Generate(Unnamed);
        var personsKey = provider.AddExistingKey(person, "added-by-a-person");

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        provider.LiveKeyIds.Should().BeEquivalentTo([personsKey, operation.NewProviderKeyId]);
        provider.Keys.Should().ContainSingle(k => k.Name == operation.ProviderKeyName && k.Status == ProviderKeyStatus.Deleted, "the key the failed create made under the attempt's name is removed");
    }

    private static ProviderDescriptor Descriptor(bool createSetsKeyName) => new(Unnamed, "Acme IAM")
    {
        ConsoleUrl = new Uri("https://console.acme.test/iam"),
        Capabilities = ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Delete,
        CreateSetsKeyName = createSetsKeyName,
    };
}
