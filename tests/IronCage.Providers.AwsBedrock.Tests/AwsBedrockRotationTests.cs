using IronCage.Conformance;
using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Providers.AwsBedrock.Tests;

/// <summary>The rotation engine's Automatic tier (create, verify, promote, delete) against the scripted IAM and Bedrock.</summary>
public sealed class AwsBedrockRotationTests
{
    [Fact]
    public async Task Rotate_DeletesTheInactiveLeftover_CreatesVerifiesAndPromotesANewKey_AndAfterGraceDeletesTheOldOne()
    {
        var emulator = new IamEmulator();
        var leftover = emulator.Seed("Inactive", created: new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var old = emulator.Seed();
        using var host = emulator.Host();
        var registered = await RegisterAsync(host, old, new RotationPolicy { KeyLifetime = Duration.FromDays(90) });

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.Automatic);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        emulator.Find(leftover.Id).Should().BeNull("the Inactive leftover made room under IAM's two-key limit");
        emulator.Find(old.Id)!.Status.Should().Be("Active", "the old key keeps working during grace");
        var created = emulator.Find(operation.NewProviderKeyId!)!;
        created.Status.Should().Be("Active");
        created.ExpirationDate.Should().Be(host.Clock.GetCurrentInstant().ToDateTimeOffset().AddDays(90), "the policy's key lifetime becomes CredentialAgeDays");
        var during = await host.Keys.GetAsync(registered.Reference);
        during.CurrentVersion!.ProviderKeyId.Should().Be(created.Id);
        during.CurrentVersion.ExpiresAt.Should().Be(Instant.FromDateTimeOffset(created.ExpirationDate!.Value));
        using (var current = await host.OpenAsync(during.CurrentVersion, registered.Reference))
        {
            current.Matches(created.Secret).Should().BeTrue();
        }

        var completed = await host.Rotator.CompleteGraceAsync(registered.Reference);

        completed.Step.Should().Be(RotationStep.Completed);
        emulator.Credentials.Select(c => c.Id).Should().Equal(created.Id);
        emulator.UnsignedRequests.Should().Be(0);
        emulator.Actions.Where(a => a != "ListServiceSpecificCredentials").Should().Equal("DeleteServiceSpecificCredential", "CreateServiceSpecificCredential", "DeleteServiceSpecificCredential");
        host.ShouldNotLeak(emulator.AllSecrets.Append(IamEmulator.SecretKey));
    }

    [Fact]
    public async Task Rotate_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveCredential()
    {
        var emulator = new IamEmulator();
        var old = emulator.Seed();
        using var host = emulator.Host(hostServices: s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var registered = await RegisterAsync(host, old);
        emulator.FailNextCreateAfterActing = true;

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero }));

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        emulator.Actions.Count(a => a == "CreateServiceSpecificCredential").Should().Be(2, "the create answered 500 reached IAM once (no layer resent it); the engine removed what it made, found by its creation time, and created once more");
        emulator.Actions.Count(a => a == "DeleteServiceSpecificCredential").Should().Be(2, "the orphan of the 500 and, after the zero grace period, the old credential");
        emulator.Credentials.Should().ContainSingle("exactly one live Bedrock API key, none orphaned").Which.Id.Should().Be(operation.NewProviderKeyId);
        var key = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference))
        {
            current.Matches(emulator.Credentials[0].Secret).Should().BeTrue("the live credential is the one IronCage serves");
        }

        host.ShouldNotLeak(emulator.AllSecrets.Append(IamEmulator.SecretKey));
    }

    [Fact]
    public async Task Rotate_ThrottledByIam_RetriesAndCompletes()
    {
        var emulator = new IamEmulator();
        var old = emulator.Seed();
        using var host = emulator.Host();
        var registered = await RegisterAsync(host, old);
        emulator.ThrottleNext = 2;

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        var completed = await host.Rotator.CompleteGraceAsync(registered.Reference);

        operation.Step.Should().Be(RotationStep.GracePeriod);
        completed.Step.Should().Be(RotationStep.Completed);
        emulator.ThrottleNext.Should().Be(0);
        emulator.Credentials.Should().ContainSingle().Which.Id.Should().Be(operation.NewProviderKeyId);
        host.ShouldNotLeak(emulator.AllSecrets.Append(IamEmulator.SecretKey));
    }

    [Fact]
    public async Task Rotate_NewKeyFailsVerification_RollsBackByDeletingItAndKeepsTheOldKeyCurrent()
    {
        var emulator = new IamEmulator();
        var old = emulator.Seed();
        using var host = emulator.Host(o => o.MaxRetries = 0);
        var registered = await RegisterAsync(host, old);
        emulator.NewKeysFailVerification = true;

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled));

        operation.Step.Should().Be(RotationStep.Failed);
        operation.NewProviderKeyId.Should().NotBeNull("the key was created before it failed verification");
        emulator.Find(operation.NewProviderKeyId!).Should().BeNull("rollback deletes the key that never worked");
        emulator.Credentials.Select(c => c.Id).Should().Equal(old.Id);
        emulator.Actions.Should().Contain("CreateServiceSpecificCredential").And.EndWith("DeleteServiceSpecificCredential");
        var key = await host.Keys.GetAsync(registered.Reference);
        using var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference);
        current.Matches(old.Secret).Should().BeTrue("the old key stays current when the new one fails verification");
        host.ShouldNotLeak(emulator.AllSecrets.Append(IamEmulator.SecretKey));
    }

    [Fact]
    public async Task Rotate_TwoActiveKeys_FailsWithLimitExceededAndTouchesNeither()
    {
        var emulator = new IamEmulator();
        var old = emulator.Seed();
        var other = emulator.Seed();
        using var host = emulator.Host();
        var registered = await RegisterAsync(host, old);

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled));

        operation.Step.Should().Be(RotationStep.Failed);
        operation.LastError.Should().Contain("Conflict").And.Contain("IAM's limit").And.Contain(other.Id);
        emulator.Credentials.Select(c => c.Id).Should().Equal(old.Id, other.Id);
        emulator.Credentials.Should().OnlyContain(c => c.Status == "Active");
        emulator.Actions.Should().OnlyContain(a => a == "ListServiceSpecificCredentials", "nothing is created, deactivated or deleted");
        host.ShouldNotLeak(emulator.AllSecrets.Append(IamEmulator.SecretKey));
    }

    [Fact]
    public async Task WholeFlow_NoSecretInAnyLogLineExceptionOrAuditRecord()
    {
        var emulator = new IamEmulator();
        emulator.Seed("Inactive");
        var old = emulator.Seed();
        using var host = emulator.Host(o => o.MaxRetries = 1);
        var registered = await RegisterAsync(host, old);
        var failures = new List<Exception>();

        // A rotation with a throttled IAM, then one whose new key Bedrock refuses (rolled back).
        emulator.ThrottleNext = 1;
        await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        (await host.Rotator.CompleteGraceAsync(registered.Reference)).Step.Should().Be(RotationStep.Completed);
        emulator.NewKeysFailVerification = true;
        var refused = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual));
        refused.Step.Should().Be(RotationStep.Failed);
        failures.Add(new InvalidOperationException(refused.LastError));

        // Straight adapter calls that fail: the two-key limit, IAM's own LimitExceeded, a stranger's key, an unknown id.
        emulator.NewKeysFailVerification = false;
        emulator.Seed();
        failures.Add(await Capture(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = IamEmulator.Context(), Name = "n" })));
        emulator.ThrottleNext = 5;
        failures.Add(await Capture(() => host.Adapter.DeactivateKeyAsync(IamEmulator.Context(), "ACCAUNKNOWN")));
        emulator.ThrottleNext = 0;
        failures.Add(await Capture(() => host.Adapter.DeactivateKeyAsync(IamEmulator.Context(), "ACCAUNKNOWN")));
        using (var stranger = SecretValue.FromString(emulator.Credentials[0].Secret + "x"))
        {
            var result = await host.Adapter.VerifyAsync(IamEmulator.Context(), stranger);
            result.IsValid.Should().BeFalse();
            failures.Add(new InvalidOperationException(result.Message));
        }

        failures.Should().OnlyContain(f => f != null);
        var audit = new List<string>();
        await foreach (var record in host.Audit.ReadAsync())
        {
            audit.Add($"{record.Event.Target} {record.Event.Reason} {string.Join(",", record.Event.Details.Values)}");
        }

        var secrets = emulator.AllSecrets.Append(IamEmulator.SecretKey).ToList();
        host.ShouldNotLeak(secrets, [.. failures]);
        audit.Should().NotBeEmpty().And.OnlyContain(line => !secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
    }

    private static async Task<Exception> Capture(Func<Task> act)
    {
        try
        {
            await act();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("The call was expected to fail.");
    }

    private static async Task<ManagedKey> RegisterAsync(CloudProviderTestHost host, IamEmulator.Credential credential, RotationPolicy? policy = null)
    {
        var context = IamEmulator.Context();
        using var initial = SecretValue.FromString(credential.Secret);
        return await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = credential.Id, Scope = context.Scope, Policy = policy ?? RotationPolicy.Default }, initial);
    }

    private static async Task<RotationOperation> DriveAsync(CloudProviderTestHost host, RotationOperation operation)
    {
        for (var i = 0; i < 10 && operation.Step is not (RotationStep.Failed or RotationStep.Completed or RotationStep.GracePeriod); i++)
        {
            host.Clock.Advance(Duration.FromHours(1));
            operation = await host.Rotator.ResumeAsync(operation.OperationId);
        }

        return operation;
    }
}

/// <summary>The adapter conformance suite against the scripted IAM and Bedrock.</summary>
public sealed class AwsBedrockProviderAdapterConformanceTests : ProviderAdapterConformanceTests, IDisposable
{
    private readonly List<CloudProviderTestHost> _hosts = [];

    protected override ProviderKeyContext Context => IamEmulator.Context();

    public void Dispose() => _hosts.ForEach(h => h.Dispose());

    protected override IProviderAdapter CreateAdapter()
    {
        var host = new IamEmulator().Host();
        _hosts.Add(host);
        return host.Adapter;
    }
}
