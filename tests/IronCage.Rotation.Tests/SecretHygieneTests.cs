using System.Text;
using IronCage.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>
/// A provider or an adapter that echoes a key in its error text (as is, base64, base64url or URL-escaped) never gets it
/// into LastError, audit records, events or logs: the engine scrubs the old and the new key by exact match.
/// </summary>
public sealed class SecretHygieneTests
{
    public static TheoryData<string> Shapes => new() { "exact", "base64", "base64url", "url" };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task RevocationErrorEchoingTheOldKey_NeverReachesLastErrorAuditEventsOrLogs(string shape)
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, configure: o => o.MaxAttempts = 1);
        var (registered, oldSecret) = await harness.RegisterAsync();
        var oldText = oldSecret.Reveal();
        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);
        provider.On(FakeProviderOperation.Delete).ThrowAlways(new ProviderRequestException(ProviderId.OpenAI, ProviderErrorKind.Forbidden, $"openai: delete refused, the key {Echo(oldText, shape)} is protected") { StatusCode = 403 });
        harness.Clock.AdvanceHours(24);

        var failed = await harness.Rotator.ResumeAsync(operation.OperationId);

        failed.Step.Should().Be(RotationStep.RevocationFailed);
        failed.LastError.Should().Contain("[redacted]");
        await AssertNowhereAsync(harness, failed, oldText);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task VerifyErrorEchoingTheNewKey_NeverReachesLastErrorAuditEventsOrLogs(string shape)
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenRouter);
        string? created = null;
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        provider.KeyFactory = p =>
        {
            var secret = FakeKeys.Generate(p);
            created = secret.Reveal();
            provider.On(FakeProviderOperation.Verify).ThrowAlways(new IronCageException($"adapter: verify of {Echo(created, shape)} failed"));
            return secret;
        };

        var failed = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);

        failed.Step.Should().Be(RotationStep.Failed);
        created.Should().NotBeNull();
        failed.LastError.Should().Contain("[redacted]");
        await AssertNowhereAsync(harness, failed, created!);
    }

    // (OpenAI and OpenRouter keys need no URL escaping; SecretScrubberTests covers a key that does.)
    private static string Echo(string secret, string shape) => shape switch
    {
        "base64" => Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)),
        "base64url" => Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        "url" => Uri.EscapeDataString(secret),
        _ => secret,
    };

    private static async Task AssertNowhereAsync(RotationHarness harness, RotationOperation operation, string secret)
    {
        var forms = new[] { secret, Echo(secret, "base64"), Echo(secret, "base64url"), Echo(secret, "url") };
        var texts = new List<string> { operation.LastError ?? string.Empty, operation.ToString() };
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            texts.Add(record.Event.Reason ?? string.Empty);
            texts.AddRange(record.Event.Details.Values);
        }

        foreach (var rotationEvent in harness.Shared.Events.All)
        {
            texts.Add(rotationEvent.Describe());
            texts.Add(rotationEvent switch { RotationFailed f => f.Reason, KeyRevoked r => r.Error ?? string.Empty, _ => string.Empty });
        }

        texts.AddRange(harness.Shared.Logs.Lines);
        await foreach (var stored in harness.Operations.ListForKeyAsync(operation.Key))
        {
            texts.Add(stored.LastError ?? string.Empty);
        }

        texts.Should().NotContain(t => forms.Any(f => t.Contains(f, StringComparison.Ordinal)), "no persisted, logged or published text may carry the key in any form");
        harness.Shared.Logs.Lines.Should().NotBeEmpty();
    }
}
