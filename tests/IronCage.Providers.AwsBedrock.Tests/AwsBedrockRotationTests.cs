using IronCage.Providers.AwsBedrock;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Providers.AwsBedrock.Tests;

/// <summary>
/// The rotation engine's Automatic tier (create, verify, promote, delete) against the public <see cref="AwsIamEmulator"/>
/// (SigV4 checked), one credential per list page so that <c>Marker</c> paging is exercised.
/// </summary>
public sealed class AwsBedrockRotationTests : IAsyncLifetime
{
    private readonly HostClockTimeProvider _time = new();
    private readonly List<IDisposable> _owned = [];
    private AwsIamEmulator _iam = null!;

    public async Task InitializeAsync()
    {
        _iam = await AwsIamEmulator.StartAsync(_time);
        _iam.PageSize = 1;
    }

    public async Task DisposeAsync()
    {
        _owned.ForEach(o => o.Dispose());
        await _iam.DisposeAsync();
    }

    [Fact]
    public async Task Rotate_DeletesTheInactiveLeftover_CreatesVerifiesAndPromotesANewKey_AndAfterGraceDeletesTheOldOne()
    {
        var host = Host();
        var leftover = _iam.Seed(age: TimeSpan.FromDays(153));
        _iam.Deactivate(leftover.Id);
        var old = _iam.Seed(age: TimeSpan.FromDays(30));
        var registered = await RegisterAsync(host, old, new RotationPolicy { KeyLifetime = Duration.FromDays(90) });

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.Automatic);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        Find(leftover.Id).Should().BeNull("the Inactive leftover made room under IAM's two-key limit");
        Find(old.Id)!.Status.Should().Be("Active", "the old key keeps working during grace");
        var created = Find(operation.NewProviderKeyId!)!;
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
        _iam.Credentials.Select(c => c.Id).Should().Equal(created.Id);
        _iam.RefusedSignatures.Should().Be(0);
        _iam.Actions.Where(a => a != "ListServiceSpecificCredentials").Should().Equal("DeleteServiceSpecificCredential", "CreateServiceSpecificCredential", "DeleteServiceSpecificCredential");
        host.ShouldNotLeak(_iam.IssuedSecrets.Append(_iam.SecretAccessKey));
    }

    [Fact]
    public async Task Rotate_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveCredential()
    {
        var host = Host(hostServices: s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var old = _iam.Seed(age: TimeSpan.FromDays(30));
        var registered = await RegisterAsync(host, old);
        _iam.FailNextAfterActing("CreateServiceSpecificCredential");

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero }));

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        _iam.Actions.Count(a => a == "CreateServiceSpecificCredential").Should().Be(2, "the create answered 500 reached IAM once (no layer resent it); the engine removed what it made, found by its creation time, and created once more");
        _iam.Actions.Count(a => a == "DeleteServiceSpecificCredential").Should().Be(2, "the orphan of the 500 and, after the zero grace period, the old credential");
        _iam.Credentials.Should().ContainSingle("exactly one live Bedrock API key, none orphaned").Which.Id.Should().Be(operation.NewProviderKeyId);
        var key = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference))
        {
            current.Matches(_iam.Credentials[0].Secret).Should().BeTrue("the live credential is the one IronCage serves");
        }

        host.ShouldNotLeak(_iam.IssuedSecrets.Append(_iam.SecretAccessKey));
    }

    [Fact]
    public async Task Rotate_ThrottledByIam_RetriesAndCompletes()
    {
        var host = Host();
        var old = _iam.Seed(age: TimeSpan.FromDays(30));
        var registered = await RegisterAsync(host, old);
        _iam.ThrottleNext(2);

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        var completed = await host.Rotator.CompleteGraceAsync(registered.Reference);

        operation.Step.Should().Be(RotationStep.GracePeriod);
        completed.Step.Should().Be(RotationStep.Completed);
        _iam.ThrottledCallsLeft.Should().Be(0);
        _iam.Credentials.Should().ContainSingle().Which.Id.Should().Be(operation.NewProviderKeyId);
        host.ShouldNotLeak(_iam.IssuedSecrets.Append(_iam.SecretAccessKey));
    }

    [Fact]
    public async Task Rotate_NewKeyFailsVerification_RollsBackByDeletingItAndKeepsTheOldKeyCurrent()
    {
        var host = Host(o => o.MaxRetries = 0);
        var old = _iam.Seed(age: TimeSpan.FromDays(30));
        var registered = await RegisterAsync(host, old);
        _iam.NewCredentialsRefusedByBedrock = true;

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled));

        operation.Step.Should().Be(RotationStep.Failed);
        operation.NewProviderKeyId.Should().NotBeNull("the key was created before it failed verification");
        Find(operation.NewProviderKeyId!).Should().BeNull("rollback deletes the key that never worked");
        _iam.Credentials.Select(c => c.Id).Should().Equal(old.Id);
        _iam.Actions.Should().Contain("CreateServiceSpecificCredential").And.EndWith("DeleteServiceSpecificCredential");
        var key = await host.Keys.GetAsync(registered.Reference);
        using var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference);
        current.Matches(old.Secret).Should().BeTrue("the old key stays current when the new one fails verification");
        host.ShouldNotLeak(_iam.IssuedSecrets.Append(_iam.SecretAccessKey));
    }

    [Fact]
    public async Task Rotate_TwoActiveKeys_FailsWithLimitExceededAndTouchesNeither()
    {
        var host = Host();
        var old = _iam.Seed(age: TimeSpan.FromDays(30));
        var other = _iam.Seed(age: TimeSpan.FromDays(30));
        var registered = await RegisterAsync(host, old);

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled));

        operation.Step.Should().Be(RotationStep.Failed);
        operation.LastError.Should().Contain("Conflict").And.Contain("IAM's limit").And.Contain(other.Id);
        _iam.Credentials.Select(c => c.Id).Should().Equal(old.Id, other.Id);
        _iam.Credentials.Should().OnlyContain(c => c.Status == "Active");
        _iam.Actions.Should().OnlyContain(a => a == "ListServiceSpecificCredentials", "nothing is created, deactivated or deleted");
        host.ShouldNotLeak(_iam.IssuedSecrets.Append(_iam.SecretAccessKey));
    }

    [Fact]
    public async Task WholeFlow_NoSecretInAnyLogLineExceptionOrAuditRecord()
    {
        var host = Host(o => o.MaxRetries = 1);
        _iam.Deactivate(_iam.Seed(age: TimeSpan.FromDays(30)).Id);
        var old = _iam.Seed(age: TimeSpan.FromDays(30));
        var registered = await RegisterAsync(host, old);
        var failures = new List<Exception>();

        // A rotation with a throttled IAM, then one whose new key Bedrock refuses (rolled back).
        _iam.ThrottleNext(1);
        await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        (await host.Rotator.CompleteGraceAsync(registered.Reference)).Step.Should().Be(RotationStep.Completed);
        _iam.NewCredentialsRefusedByBedrock = true;
        var refused = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual));
        refused.Step.Should().Be(RotationStep.Failed);
        failures.Add(new InvalidOperationException(refused.LastError));

        // Straight adapter calls that fail: the two-key limit, IAM's own LimitExceeded, a stranger's key, an unknown id.
        _iam.NewCredentialsRefusedByBedrock = false;
        _iam.Seed();
        failures.Add(await Capture(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context(), Name = "n" })));
        _iam.ThrottledCallsLeft = 5;
        failures.Add(await Capture(() => host.Adapter.DeactivateKeyAsync(Context(), "ACCAUNKNOWN")));
        _iam.ThrottledCallsLeft = 0;
        failures.Add(await Capture(() => host.Adapter.DeactivateKeyAsync(Context(), "ACCAUNKNOWN")));
        using (var stranger = SecretValue.FromString(_iam.Credentials[0].Secret + "x"))
        {
            var result = await host.Adapter.VerifyAsync(Context(), stranger);
            result.IsValid.Should().BeFalse();
            failures.Add(new InvalidOperationException(result.Message));
        }

        failures.Should().OnlyContain(f => f != null);
        var audit = new List<string>();
        await foreach (var record in host.Audit.ReadAsync())
        {
            audit.Add($"{record.Event.Target} {record.Event.Reason} {string.Join(",", record.Event.Details.Values)}");
        }

        var secrets = _iam.IssuedSecrets.Append(_iam.SecretAccessKey).ToList();
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

    private ProviderKeyContext Context(string name = "prod") => new()
    {
        Key = new KeyReference(ProviderId.AwsBedrock, name),
        Scope = new Dictionary<string, string> { [AwsBedrockConstants.UserNameScopeKey] = _iam.UserName },
    };

    private AwsServiceSpecificCredential? Find(string id) => _iam.Credentials.SingleOrDefault(c => c.Id == id);

    // A host whose IAM and Bedrock calls reach the emulator and whose clock is the emulator's.
    private CloudProviderTestHost Host(Action<AwsBedrockProviderOptions>? configure = null, Action<IServiceCollection>? hostServices = null)
    {
        var handler = _iam.CreateHttpMessageHandler();
        var host = new CloudProviderTestHost(
            b => b.AddAwsBedrock("aws", o =>
            {
                o.AccessKeyId = _iam.AccessKeyId;
                o.SecretAccessKey = _iam.SecretAccessKey;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                configure?.Invoke(o);
            }),
            AwsBedrockConstants.HttpClientName,
            handler,
            hostServices: hostServices);
        _time.Clock = host.Clock;
        _owned.Add(host);
        _owned.Add(handler);
        return host;
    }

    private async Task<ManagedKey> RegisterAsync(CloudProviderTestHost host, AwsServiceSpecificCredential credential, RotationPolicy? policy = null)
    {
        var context = Context();
        using var initial = credential.ToSecretValue();
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
