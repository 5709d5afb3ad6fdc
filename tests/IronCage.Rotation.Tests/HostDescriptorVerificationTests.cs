using System.Collections.Concurrent;
using System.Net;
using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests;

/// <summary>
/// A host descriptor that replaces a built-in provider's entry (here Mistral, routed through the host's own gateway)
/// is what rotation verifies with and what its reminders point to: its verify call, auth and console URL, not the
/// built-in ones.
/// </summary>
public sealed class HostDescriptorVerificationTests
{
    private static readonly Uri GatewayConsole = new("https://gateway.example.test/console/mistral");
    private static readonly Uri GatewayVerify = new("https://gateway.example.test/mistral/v1/whoami");

    [Fact]
    public async Task RecordManualRotationAsync_HostDescriptorReplacesABuiltInProvider_RemindsWithItsConsoleUrlAndVerifiesWithItsVerifyCall()
    {
        var provider = new FakeProviderAdapter(ProviderId.Mistral, ProviderCapabilities.None);
        var verify = new RecordingHandler();
        using var harness = new RotationHarness(provider, extend: b =>
        {
            b.Services.Configure<IronCageOptions>(o => o.AddProvider(Gateway()));
            b.Services.AddHttpClient(IronCageConstants.VerifyHttpClientName).ConfigurePrimaryHttpMessageHandler(() => verify);
        });
        var reference = new KeyReference(ProviderId.Mistral, "prod");
        using (var initial = FakeKeys.Generate(ProviderId.Mistral))
        {
            await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, Policy = new RotationPolicy { Schedule = RotationSchedule.Monthly }, Verify = true }, initial);
            verify.Requests.Should().ContainSingle("registration verified with the host's call").Which.Should().Be((GatewayVerify, initial.Reveal()));
        }

        var due = harness.Clock.GetCurrentInstant() + Duration.FromDays(40);
        var result = await harness.Scheduler.RunDueAsync(due);

        result.Reminders.Should().Be(1);
        harness.Shared.Events.All.OfType<RotationOverdue>().Should().ContainSingle().Which.ConsoleUrl.Should().Be(GatewayConsole, "the reminder sends the person to the host's console, not console.mistral.ai");

        using var replacement = FakeKeys.Generate(ProviderId.Mistral);
        var operation = await harness.Rotator.RecordManualRotationAsync(reference, replacement);

        operation.Step.Should().BeOneOf(RotationStep.GracePeriod, RotationStep.Completed);
        verify.Requests.Should().HaveCount(2);
        verify.Requests[^1].Should().Be((GatewayVerify, replacement.Reveal()), "the supplied key was verified with the host descriptor's verify call and auth");
    }

    private static ProviderDescriptor Gateway() => new(ProviderId.Mistral, "Mistral through the gateway")
    {
        ConsoleUrl = GatewayConsole,
        Capabilities = ProviderCapabilities.Verify,
        Auth = AuthScheme.Header("X-Gateway-Key"),
        VerifyCall = new VerifyCall(HttpMethod.Get, GatewayVerify.ToString()),
    };

    private sealed class RecordingHandler : HttpMessageHandler
    {
        private readonly ConcurrentQueue<(Uri Uri, string? GatewayKey)> _requests = new();

        public IReadOnlyList<(Uri Uri, string? GatewayKey)> Requests => [.. _requests];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _requests.Enqueue((request.RequestUri!, request.Headers.TryGetValues("X-Gateway-Key", out var values) ? string.Join(",", values) : null));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
        }
    }
}
