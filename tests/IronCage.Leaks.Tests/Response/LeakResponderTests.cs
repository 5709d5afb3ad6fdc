using System.Diagnostics;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Leaks.Response;
using IronCage.Leaks.Tests.Support;
using IronCage.Notifications;
using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IronCage.Leaks.Tests.Response;

public sealed class LeakResponderTests(ITestOutputHelper output)
{
    [Fact]
    public async Task HandleAllAsync_ManagedKeyCommittedToGit_RotatesAndTheLeakedKeyIsRejected()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = Harness(provider, out var events);
        var (key, secret) = await harness.RegisterAsync();
        using var repo = new TempDirectory();
        repo.Git("init", "-q", "-b", "main");
        repo.Write("app/config.py", $"OPENAI_API_KEY = \"{secret.Reveal()}\"\n");
        repo.Git("add", ".");
        repo.Git("commit", "-q", "-m", "oops");
        var commit = repo.Git("rev-parse", "HEAD");

        var clock = Stopwatch.StartNew();
        var scanner = await LeakScanner.CreateAsync(Catalog(harness), Fingerprinter(harness), harness.Keys);
        var responses = await Responder(harness).HandleAllAsync(scanner.ScanGitHistoryAsync(repo.Path), "git-history");
        var rejected = !provider.IsAccepted(secret);
        clock.Stop();
        output.WriteLine($"scan start to rejection: {clock.Elapsed.TotalMilliseconds:F0} ms");

        rejected.Should().BeTrue("the emergency rotation revoked the leaked key at the provider");
        responses.Should().ContainSingle().Which.Outcome.Should().Be(LeakResponseOutcome.Rotated);
        var stored = await harness.Keys.GetAsync(key.Reference);
        stored.CurrentVersion!.Fingerprint.Should().NotBe(key.CurrentVersion!.Fingerprint);
        var leaked = (await Audit(harness)).Should().ContainSingle(r => r.Event.Action == LeakAuditActions.KeyLeaked).Subject.Event;
        leaked.Target.Should().Be(key.Reference.ToString());
        leaked.Details.Should().Contain("source", "git-history").And.Contain("path", "app/config.py").And.Contain("commit", commit).And.Contain("operation", responses[0].OperationId!);
        events.OfType<KeyLeakedEvent>().Should().ContainSingle().Which.Classification.Should().Be(LeakClassification.ManagedCurrent);
        (await Audit(harness)).Select(r => string.Join(' ', r.Event.Details.Values) + r.Event.Reason).Should().NotContain(t => t.Contains(secret.Reveal(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_SameLeakTwiceAndAfterRestart_IsHandledOnce()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = Harness(provider, out _);
        var (_, secret) = await harness.RegisterAsync();
        var scanner = await LeakScanner.CreateAsync(Catalog(harness), Fingerprinter(harness), harness.Keys);
        var finding = scanner.ScanText(secret.Reveal(), "webhook").Single();
        using var responder = Responder(harness);

        var first = await responder.HandleAsync(finding, "github-secret-scanning");
        var second = await responder.HandleAsync(scanner.ScanText(secret.Reveal(), "poller").Single(), "github-secret-scanning-poller");
        using var restarted = Responder(harness);
        var third = await restarted.HandleAsync(finding, "scan");

        first.Outcome.Should().Be(LeakResponseOutcome.Rotated);
        second.Outcome.Should().Be(LeakResponseOutcome.Duplicate);
        third.Outcome.Should().Be(LeakResponseOutcome.Duplicate);
        provider.CallsTo(FakeProviderOperation.Create).Should().ContainSingle();
    }

    [Fact]
    public async Task HandleAsync_UnmanagedKey_AlertsWithTheProvidersConsoleUrl()
    {
        using var harness = Harness(FakeProviderAdapter.For(ProviderId.OpenAI), out var events);
        var scanner = new LeakScanner(Catalog(harness), Fingerprinter(harness));
        var finding = scanner.ScanText("GROQ=" + LeakTestKeys.Generate(ProviderId.Groq), ".env").Single();

        var response = await Responder(harness).HandleAsync(finding, "scan");

        response.Outcome.Should().Be(LeakResponseOutcome.Alerted);
        var alert = events.OfType<KeyLeakedEvent>().Should().ContainSingle().Subject;
        alert.ConsoleUrl.Should().Be(new Uri("https://console.groq.com/keys"));
        alert.Describe().Should().Contain("groq").And.Contain("https://console.groq.com/keys").And.Contain(".env:1:6");
        (await Audit(harness)).Should().ContainSingle(r => r.Event.Action == LeakAuditActions.KeyLeaked).Which.Event.Target.Should().Be("groq/unmanaged");
    }

    [Fact]
    public async Task HandleAsync_AlertOnlyPolicy_DoesNotRotate()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = Harness(provider, out _, o => o.Policies[new KeyReference(ProviderId.OpenAI, "prod")] = LeakResponsePolicy.AlertOnly);
        var (_, secret) = await harness.RegisterAsync();
        var scanner = await LeakScanner.CreateAsync(Catalog(harness), Fingerprinter(harness), harness.Keys);

        var response = await Responder(harness).HandleAsync(scanner.ScanText(secret.Reveal()).Single(), "scan");

        response.Outcome.Should().Be(LeakResponseOutcome.Alerted);
        provider.IsAccepted(secret).Should().BeTrue();
        provider.CallsTo(FakeProviderOperation.Create).Should().BeEmpty();
    }

    [Fact]
    public async Task HandleAsync_RevokeFirstPolicy_RunsARevokeFirstRotation()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = Harness(provider, out _, o => o.DefaultPolicy = LeakResponsePolicy.RevokeFirstRotation);
        var (_, secret) = await harness.RegisterAsync();
        var scanner = await LeakScanner.CreateAsync(Catalog(harness), Fingerprinter(harness), harness.Keys);

        var response = await Responder(harness).HandleAsync(scanner.ScanText(secret.Reveal()).Single(), "scan");

        var operation = await harness.Rotator.GetOperationAsync(response.OperationId!);
        operation!.RevokesFirst.Should().BeTrue();
        provider.IsAccepted(secret).Should().BeFalse();
    }

    [Fact]
    public async Task HandleAsync_PreviousVersionLeaked_EndsItsGraceAndRevokesIt()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = Harness(provider, out _);
        var (key, secret) = await harness.RegisterAsync();
        await harness.Rotator.RotateAsync(key.Reference, RotationReason.Scheduled);
        provider.IsAccepted(secret).Should().BeTrue("the old key is valid during its grace period");
        var scanner = await LeakScanner.CreateAsync(Catalog(harness), Fingerprinter(harness), harness.Keys);
        var finding = scanner.ScanText(secret.Reveal()).Single();

        var response = await Responder(harness).HandleAsync(finding, "scan");

        finding.Classification.Should().Be(LeakClassification.ManagedPrevious);
        response.Outcome.Should().Be(LeakResponseOutcome.Rotated);
        provider.IsAccepted(secret).Should().BeFalse();
    }

    private static RotationHarness Harness(FakeProviderAdapter provider, out List<NotificationEvent> events, Action<LeakResponseOptions>? configure = null)
    {
        var recorded = new List<NotificationEvent>();
        events = recorded;
        return new RotationHarness(provider, extend: b =>
        {
            b.AddLeakResponse(configure);
            b.Services.AddSingleton<INotificationPublisher>(new RecordingPublisher(recorded));
        });
    }

    private static async Task<List<AuditRecord>> Audit(RotationHarness harness)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            records.Add(record);
        }

        return records;
    }

    private static LeakResponder Responder(RotationHarness harness) => ActivatorUtilities.CreateInstance<LeakResponder>(harness.Services);

    private static IProviderCatalog Catalog(RotationHarness harness) => harness.Services.GetRequiredService<IProviderCatalog>();

    private static ISecretFingerprinter Fingerprinter(RotationHarness harness) => harness.Services.GetRequiredService<ISecretFingerprinter>();

    private sealed class RecordingPublisher(List<NotificationEvent> events) : INotificationPublisher
    {
        public void Publish(NotificationEvent notificationEvent)
        {
            lock (events)
            {
                events.Add(notificationEvent);
            }
        }
    }
}
