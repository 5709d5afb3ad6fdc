using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Notifications;
using IronCage.Providers.AwsBedrock;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Providers.AwsBedrock.Tests;

/// <summary>
/// Amazon Bedrock short-term API keys end to end: registered through <see cref="IKeyRotator.RegisterGeneratedAsync"/>,
/// renewed by the rotation scheduler on a fake clock, served to an <c>AddIronCageKey</c> HttpClient that calls the
/// <see cref="AwsIamEmulator"/>'s Bedrock endpoint, which checks each key's SigV4 pre-signature and expiry.
/// </summary>
public sealed class AwsBedrockShortTermRotationTests : IAsyncLifetime
{
    private static readonly KeyReference Reference = new(ProviderId.AwsBedrockShortTerm, "prod");
    private readonly HostClockTimeProvider _time = new();
    private AwsIamEmulator _iam = null!;

    public async Task InitializeAsync() => _iam = await AwsIamEmulator.StartAsync(_time);

    public async Task DisposeAsync() => await _iam.DisposeAsync();

    [Fact]
    public async Task Scheduler_OverThreeRenewals_ServesEachNewKey_AndEachOldKeyDiesAtItsOwnExpiry()
    {
        var credentials = new SwitchableCredentials(new BasicAWSCredentials(_iam.AccessKeyId, _iam.SecretAccessKey));
        using var host = new Host(_iam, _time, credentials);

        var registered = await host.Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });

        var first = registered.CurrentVersion!;
        first.ExpiresAt.Should().Be(host.Clock.GetCurrentInstant() + Duration.FromHours(12));
        registered.Policy.RenewBeforeExpiry.Should().Be(IronCageConstants.DefaultRenewBeforeExpiry, "a generated key is renewed unattended");
        registered.NextDueAt.Should().Be(first.ExpiresAt!.Value - Duration.FromHours(1));
        (await host.CallBedrockAsync()).Should().Be(HttpStatusCode.OK, "the HttpClient carries the generated key");

        var served = new List<string> { await host.ServedTokenAsync() };
        for (var cycle = 1; cycle <= 3; cycle++)
        {
            var before = await host.Keys.GetAsync(Reference);
            var old = before.CurrentVersion!;
            var oldToken = served[^1];
            host.Clock.Advance(before.NextDueAt!.Value - host.Clock.GetCurrentInstant() - Duration.FromSeconds(1));
            (await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant())).Started.Should().Be(0, "not due a second before the renewal");

            host.Clock.AdvanceSeconds(1);
            var pass = await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant());

            pass.Started.Should().Be(1, $"renewal {cycle} is due one hour before the key expires");
            var renewed = await host.Keys.GetAsync(Reference);
            var current = renewed.CurrentVersion!;
            current.VersionId.Should().NotBe(old.VersionId);
            current.ExpiresAt.Should().Be(host.Clock.GetCurrentInstant() + Duration.FromHours(12));
            var token = await host.ServedTokenAsync();
            token.Should().NotBe(oldToken, "the resolver serves the new key at once");
            served.Add(token);
            (await host.CallBedrockAsync()).Should().Be(HttpStatusCode.OK);
            (await host.CallBedrockAsync(oldToken)).Should().Be(HttpStatusCode.OK, "nothing can revoke the old key: it works until its own expiry");
            var operation = (await host.Operations.FindActiveAsync(Reference))!;
            operation.Step.Should().Be(RotationStep.GracePeriod);
            operation.GraceEndsAt.Should().Be(old.ExpiresAt, "the grace period never outlasts the old key, which dies then anyway");

            host.Clock.Advance(old.ExpiresAt!.Value - host.Clock.GetCurrentInstant());
            (await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant())).Completed.Should().Be(1);

            (await host.CallBedrockAsync(oldToken)).Should().Be(HttpStatusCode.Forbidden, "the old key expired at the emulator's time");
            (await host.CallBedrockAsync()).Should().Be(HttpStatusCode.OK, "the served key is the new one");
            var retired = host.Events.OfType<KeyRevoked>().Should().ContainSingle(e => e.VersionId == old.VersionId).Which;
            retired.ValidUntil.Should().Be(old.ExpiresAt);
            retired.Severity.Should().Be(EventSeverity.Info, "an expected expiry needs no person");
            retired.Describe().Should().Contain("nothing could revoke it").And.NotContain("delete it");
            (await host.Keys.GetAsync(Reference)).FindVersion(old.VersionId)!.Stage.Should().Be(KeyStage.Revoked);
        }

        _iam.RefusedShortTermKeys.Should().Be(3, "each old key was refused once, after its expiry");
        host.Events.OfType<KeyExpiringSoon>().Should().BeEmpty("keys that are renewed in time raise no expiry warning");
        host.Events.OfType<RotationFailed>().Should().BeEmpty();
        host.ShouldNotLeak(served.Append(_iam.SecretAccessKey));
    }

    [Fact]
    public async Task Scheduler_CredentialsRefused_AlertsKeepsServingTheCurrentKeyUntilItExpires_ThenRecovers()
    {
        var credentials = new SwitchableCredentials(new BasicAWSCredentials(_iam.AccessKeyId, _iam.SecretAccessKey));
        using var host = new Host(_iam, _time, credentials);
        var registered = await host.Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });
        var current = registered.CurrentVersion!;
        var token = await host.ServedTokenAsync();
        credentials.Refuse = true;

        host.Clock.Advance(registered.NextDueAt!.Value - host.Clock.GetCurrentInstant());
        var pass = await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant());

        pass.Failed.Should().Be(1);
        var failed = host.Events.OfType<RotationFailed>().Should().ContainSingle().Which;
        failed.Severity.Should().Be(EventSeverity.Warning);
        failed.Reason.Should().Contain("could not be obtained").And.NotContain(SwitchableCredentials.Detail);
        (await host.Keys.GetAsync(Reference)).CurrentVersion!.VersionId.Should().Be(current.VersionId, "the current key is kept");
        (await host.ServedTokenAsync()).Should().Be(token);
        (await host.CallBedrockAsync()).Should().Be(HttpStatusCode.OK, "the current key still works until it expires");
        host.Events.OfType<KeyExpiringSoon>().Should().BeEmpty("the warning waits until the expiry is near");

        // Halfway from the planned renewal to the expiry, still failing: the key is about to stop working.
        host.Clock.Advance(current.ExpiresAt!.Value - Duration.FromMinutes(30) - host.Clock.GetCurrentInstant());
        await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant());

        var warning = host.Events.OfType<KeyExpiringSoon>().Should().ContainSingle().Which;
        warning.VersionId.Should().Be(current.VersionId);
        warning.ExpiresAt.Should().Be(current.ExpiresAt.Value);
        host.Events.OfType<RotationFailed>().Should().HaveCountGreaterThan(1, "each retry that fails alerts");
        (await host.CallBedrockAsync()).Should().Be(HttpStatusCode.OK);

        host.Clock.Advance(current.ExpiresAt.Value - host.Clock.GetCurrentInstant());
        (await host.CallBedrockAsync(token)).Should().Be(HttpStatusCode.Forbidden, "a key nobody could renew dies at its expiry");

        credentials.Refuse = false;
        host.Clock.AdvanceHours(1);
        await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant());

        var recovered = await host.Keys.GetAsync(Reference);
        recovered.CurrentVersion!.VersionId.Should().NotBe(current.VersionId, "the next pass after the credentials came back renews the key");
        (await host.CallBedrockAsync()).Should().Be(HttpStatusCode.OK);
        host.ShouldNotLeak([token, await host.ServedTokenAsync(), _iam.SecretAccessKey]);
    }

    [Fact]
    public async Task Register_TemporaryCredentials_KeyLivesNoLongerThanTheSession_AndTheSessionsEndKillsIt()
    {
        var credentials = new SwitchableCredentials(new AnonymousAWSCredentials());
        using var host = new Host(_iam, _time, credentials);
        var session = _iam.IssueTemporaryCredentials(TimeSpan.FromHours(3));
        credentials.Inner = new SessionAWSCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken);
        credentials.Expiration = session.Expiration.UtcDateTime;

        var registered = await host.Rotator.RegisterGeneratedAsync(new KeyRegistration { Reference = Reference });

        registered.CurrentVersion!.ExpiresAt.Should().Be(Instant.FromDateTimeOffset(session.Expiration), "capped at the session's expiry, not 12 hours");
        registered.NextDueAt.Should().Be(registered.CurrentVersion.ExpiresAt!.Value - Duration.FromHours(1));
        var token = await host.ServedTokenAsync();
        var url = Encoding.UTF8.GetString(Convert.FromBase64String(token["bedrock-api-key-".Length..]));
        url.Should().Contain("X-Amz-Security-Token=").And.Contain("X-Amz-Expires=10800");
        (await host.CallBedrockAsync()).Should().Be(HttpStatusCode.OK);

        host.Clock.Advance(Duration.FromHours(3));
        (await host.CallBedrockAsync(token)).Should().Be(HttpStatusCode.Forbidden, "the session that signed it has ended");
        host.ShouldNotLeak([token, session.SecretAccessKey, session.SessionToken]);
    }

    [Fact]
    public async Task Register_LongTermKeyProvider_IsRefusedAsNotGenerated()
    {
        var credentials = new SwitchableCredentials(new BasicAWSCredentials(_iam.AccessKeyId, _iam.SecretAccessKey));
        using var host = new Host(_iam, _time, credentials);

        var failure = await host.Rotator.Invoking(r => r.RegisterGeneratedAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.AwsBedrock, "prod") })).Should().ThrowAsync<IronCageException>();

        failure.Which.Message.Should().Contain("cannot generate its keys");
    }

    /// <summary>The host's AWS credentials (an assumed role, say), which the credential source can start refusing.</summary>
    private sealed class SwitchableCredentials(AWSCredentials inner) : AWSCredentials
    {
        public const string Detail = "AccessDenied for role bedrock-signer";

        public AWSCredentials Inner { get; set; } = inner;

        public bool Refuse { get; set; }

        public override ImmutableCredentials GetCredentials() => Refuse ? throw new AmazonServiceException(Detail) : Inner.GetCredentials();

        public override Task<ImmutableCredentials> GetCredentialsAsync() => Refuse ? throw new AmazonServiceException(Detail) : Inner.GetCredentialsAsync();
    }

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

    private sealed class Host : IDisposable
    {
        private readonly ServiceProvider _services;
        private readonly AwsIamEmulator _iam;
        private readonly HttpMessageHandler _verify;

        public Host(AwsIamEmulator iam, HostClockTimeProvider time, AWSCredentials credentials)
        {
            _iam = iam;
            _verify = iam.CreateHttpMessageHandler();
            time.Clock = Clock;
            var services = new ServiceCollection();
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
            services.AddSingleton<IClock>(Clock);
            services.AddSingleton<IRotationEventSubscriber>(Events);
            services.AddIronCage()
                .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
                .AddAwsBedrockShortTermKeys("bedrock", o =>
                {
                    o.Region = iam.BedrockRegion;
                    o.Credentials = credentials;
                })
                .AddKeyResolver()
                .AddRotation(o =>
                {
                    o.RetryDelay = TimeSpan.Zero;
                    o.MaxRetryDelay = TimeSpan.Zero;
                })
                .AddRotationScheduler();
            services.AddHttpClient(IronCageConstants.VerifyHttpClientName).ConfigurePrimaryHttpMessageHandler(() => _verify);
            services.AddHttpClient("bedrock", c => c.BaseAddress = iam.BedrockBaseAddress).AddIronCageKey(Reference.ToString());
            _services = services.BuildServiceProvider();
        }

        public FakeClock Clock { get; } = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);

        public CloudProviderTestHost.RecordingLogs Logs { get; } = new();

        public RecordingEvents Events { get; } = new();

        public IKeyRotator Rotator => _services.GetRequiredService<IKeyRotator>();

        public RotationScheduler Scheduler => _services.GetRequiredService<RotationScheduler>();

        public IKeyStore Keys => _services.GetRequiredService<IKeyStore>();

        public IRotationStore Operations => _services.GetRequiredService<IRotationStore>();

        /// <summary>The key the resolver serves now, recorded for the run's leak check.</summary>
        public async Task<string> ServedTokenAsync()
        {
            var resolved = await _services.GetRequiredService<IKeyResolver>().ResolveAsync(Reference);
            var token = resolved.Secret.Reveal();
            SecretLeakRegistry.Shared.RecordSecret(token);
            return token;
        }

        /// <summary>Calls Bedrock's converse endpoint with the IronCage client, or with <paramref name="token"/> as the bearer key.</summary>
        public async Task<HttpStatusCode> CallBedrockAsync(string? token = null)
        {
            var path = "model/anthropic.claude-3-haiku-20240307-v1:0/converse";
            using var body = new StringContent("""{"messages":[{"role":"user","content":[{"text":"hi"}]}]}""", Encoding.UTF8, "application/json");
            if (token is null)
            {
                using var response = await _services.GetRequiredService<IHttpClientFactory>().CreateClient("bedrock").PostAsync(path, body);
                return response.StatusCode;
            }

            using var raw = new HttpClient { BaseAddress = _iam.BedrockBaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var answer = await raw.SendAsync(request);
            return answer.StatusCode;
        }

        public void ShouldNotLeak(IEnumerable<string> secrets)
        {
            var texts = Logs.Lines.Concat(Events.OfType<RotationEvent>().SelectMany(e => new[] { e.Describe(), e.ToString() })).ToList();
            texts.Should().NotBeEmpty();
            foreach (var secret in secrets)
            {
                texts.Where(t => t.Contains(secret, StringComparison.Ordinal)).Should().BeEmpty("no key or credential may reach a log line or an event");
            }
        }

        public void Dispose()
        {
            _services.Dispose();
            _verify.Dispose();
        }
    }
}
