using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Rotation.Tests;

/// <summary>
/// A key the provider hands back is checked against the provider's key format before it is stored: a value of the
/// wrong shape is never promoted, the key the provider created is removed, and the rotation fails with a typed error.
/// </summary>
public sealed class CreatedKeyValidationTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in new[] { "openai", "openrouter", "google-gemini", "azure-openai" })
        {
            foreach (var shape in new[] { "other-provider", "admin", "placeholder", "trailing-newline" })
            {
                data.Add(provider, shape);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Rotate_ProviderAnswersWithAValueOfTheWrongShape_NothingIsPromotedAndTheCreatedKeyIsRemoved(string providerId, string shape)
    {
        var provider = FakeProviderAdapter.For(new ProviderId(providerId));
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();
        provider.KeyFactory = p => SecretValue.FromString(shape switch
        {
            "other-provider" => FakeKeys.GenerateText(p == ProviderId.Anthropic ? ProviderId.OpenAI : ProviderId.Anthropic),
            "admin" => FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin),
            "placeholder" => "your-api-key-here",
            _ => FakeKeys.GenerateText(p) + "\n",
        });

        var failed = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);

        failed.Step.Should().Be(RotationStep.Failed);
        failed.LastError.Should().Contain("not a usable key").And.NotContain("could not");
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.CurrentVersion!.VersionId.Should().Be(registered.CurrentVersion!.VersionId, "the old key stays current");
        key.Versions.Should().NotContain(v => v.VersionId == failed.NewVersionId && v.Stage != KeyStage.Revoked, "the refused value is never a live version");
        provider.IsAccepted(oldSecret).Should().BeTrue();
        if (provider.Capabilities.HasFlag(ProviderCapabilities.Create))
        {
            provider.Keys.Should().NotContain(k => k.Name == failed.ProviderKeyName && k.Status == ProviderKeyStatus.Active, "the rollback removes the key the provider created");
        }

        harness.Shared.Events.All.OfType<RotationFailed>().Should().ContainSingle().Which.Reason.Should().Contain("not a usable key");
    }

    [Fact]
    public async Task Rotate_WrongShape_FailsWithProviderKeyRejectedException()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        provider.KeyFactory = _ => SecretValue.FromString(FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin));
        var key = await harness.Keys.GetAsync(registered.Reference);
        var operation = await harness.Services.GetRequiredService<RotationEngine>().StartAsync(key, RotationTier.Automatic, RotationReason.Manual, RotationOperationKind.Rotation, new RotationRequest { Actor = "test" }, RotationStep.Requested, CancellationToken.None);

        var act = () => harness.Services.GetRequiredService<NewKeySteps>().ObtainAsync(operation, null, CancellationToken.None);

        var thrown = (await act.Should().ThrowAsync<ProviderKeyRejectedException>()).Which;
        thrown.Error.Should().Be(KeyFormatError.AdminKeyAsInference);
        thrown.Key.Should().Be(registered.Reference);
        thrown.ProviderKeyId.Should().NotBeNull();
        (await harness.Operations.FindAsync(operation.OperationId))!.NewProviderKeyId.Should().Be(thrown.ProviderKeyId, "what was created is recorded, so the rollback removes exactly that key");
    }

    [Fact]
    public async Task Rotate_CreateRefusedForABadAdminCredential_RollsBackWithoutAFalseAlarm()
    {
        // An inference key given as the adapter's admin key: the provider answers every management call with 401.
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        provider.On(FakeProviderOperation.Create).FailAlways(ProviderErrorKind.InvalidKey);
        provider.On(FakeProviderOperation.List).FailAlways(ProviderErrorKind.InvalidKey);

        var failed = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);

        failed.Step.Should().Be(RotationStep.Failed);
        failed.LastError.Should().Contain("InvalidKey").And.NotContain("could not", "nothing was created, so the rollback claims nothing about removing a key");
        provider.CallsTo(FakeProviderOperation.List).Should().BeEmpty("an unauthenticated create made nothing to look for");
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains("rolling back could not", StringComparison.Ordinal));
    }
}
