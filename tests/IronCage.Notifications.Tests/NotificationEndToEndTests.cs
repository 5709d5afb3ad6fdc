using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;

namespace IronCage.Notifications.Tests;

/// <summary>A real rotation, with its events delivered through the outbox to a real receiver over HTTP and verified there.</summary>
public sealed class NotificationEndToEndTests
{
    private const string Secret = NotificationServices.Secret;

    [Fact]
    public async Task RotateCompromised_WithWebhookNotifications_ReceiverGetsSignedStartedRevokedAndCompleted()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        receiver.Now = clock.GetCurrentInstant;
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), clock, extend: b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);
        await harness.Services.GetRequiredService<NotificationOutbox>().WhenHandledAsync();

        operation.Step.Should().Be(RotationStep.Completed);
        var requests = receiver.Requests;
        requests.Should().OnlyContain(r => r.SignatureValid == true && r.Status == 200);
        requests.Select(r => r.Header("X-IronCage-Event")).Should().Equal(harness.Shared.Events.All.Select(e => e.Type), "every event reaches the webhook, in order");
        requests.Select(r => r.Header("X-IronCage-Event")).Should().ContainInOrder("rotation.started", "key.revoked", "rotation.completed");
        requests.Select(r => r.Header("X-IronCage-Delivery")).Should().OnlyHaveUniqueItems();

        var started = requests.Single(r => r.Header("X-IronCage-Event") == "rotation.started").Json;
        started.GetProperty("key").GetString().Should().Be(registered.Reference.ToString());
        started.GetProperty("operationId").GetString().Should().Be(operation.OperationId);
        started.GetProperty("reason").GetString().Should().Be("compromised");
        started.GetProperty("severity").GetString().Should().Be("warning");

        var revoked = requests.Single(r => r.Header("X-IronCage-Event") == "key.revoked").Json;
        revoked.GetProperty("versionId").GetString().Should().Be(registered.CurrentVersion!.VersionId);
        revoked.GetProperty("succeeded").GetBoolean().Should().BeTrue();

        var completed = requests.Single(r => r.Header("X-IronCage-Event") == "rotation.completed").Json;
        completed.GetProperty("operationId").GetString().Should().Be(operation.OperationId);
        completed.GetProperty("versionId").GetString().Should().Be(operation.NewVersionId);

        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(Secret, StringComparison.Ordinal));
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task RotateCompromised_WebhookRejectsEverything_RotationStillCompletes()
    {
        await using var receiver = await WebhookReceiver.StartAsync("a-receiver-with-another-secret");
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.AddWebhookNotifications(NotificationServices.Webhook(receiver.Url)));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);
        await harness.Services.GetRequiredService<NotificationOutbox>().WhenHandledAsync();

        operation.Step.Should().Be(RotationStep.Completed);
        receiver.Requests.Should().NotBeEmpty().And.OnlyContain(r => r.Status == 401);
        harness.Shared.Logs.Lines.Count(l => l.Contains("Notification sink webhook could not deliver")).Should().Be(receiver.Requests.Count);
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }
}
