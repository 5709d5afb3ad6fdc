using IronCage.Providers;
using NodaTime;

namespace IronCage.Core.Tests.Errors;

public sealed class ExceptionTests
{
    [Fact]
    public void NoUsableKey_NamesEveryKeyAndWhy()
    {
        var until = Instant.FromUtc(2026, 11, 22, 12, 0);
        var exception = new NoUsableKeyException("openai-pool",
        [
            new KeySkip(KeyReference.Parse("openai/a"), KeySkipReason.CoolingDown, "429 from the provider", until),
            new KeySkip(KeyReference.Parse("openai/b"), KeySkipReason.LimitReached, "monthly budget of 100 USD reached"),
        ]);

        exception.Message.Should().Contain("openai-pool").And.Contain("openai/a: CoolingDown until 2026-11-22T12:00:00Z").And.Contain("openai/b: LimitReached");
        exception.Skipped.Should().HaveCount(2);
        exception.Should().BeAssignableTo<IronCageException>();
        new NoUsableKeyException("openai/prod", []).Message.Should().Contain("has no keys");
    }

    [Fact]
    public void ProviderRequest_CarriesTheClassification()
    {
        var exception = new ProviderRequestException(ProviderId.Anthropic, ProviderErrorKind.RateLimited, "slow down")
        {
            StatusCode = 429,
            ProviderErrorCode = "rate_limit_error",
            RequestId = "req_011",
            RetryAfter = TimeSpan.FromSeconds(20),
        };

        exception.Kind.RecommendedAction.Should().Be(KeyAction.CoolDown);
        exception.Kind.IsRetryable.Should().BeTrue();
        exception.Provider.Should().Be(ProviderId.Anthropic);
        exception.RetryAfter.Should().Be(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("InvalidKey", KeyAction.DisableAndRotate)]
    [InlineData("Forbidden", KeyAction.Disable)]
    [InlineData("RateLimited", KeyAction.CoolDown)]
    [InlineData("QuotaExhausted", KeyAction.DisableUntilReset)]
    [InlineData("Transient", KeyAction.Retry)]
    [InlineData("NotFound", KeyAction.None)]
    [InlineData("BadRequest", KeyAction.None)]
    public void ErrorKind_ImpliesTheDocumentedAction(string kind, KeyAction action)
    {
        new ProviderErrorKind(kind).RecommendedAction.Should().Be(action);
    }

    [Fact]
    public void ErrorKind_IsAnOpenSetComparedByValue()
    {
        new ProviderErrorKind("InvalidKey").Should().Be(ProviderErrorKind.InvalidKey);
        (new ProviderErrorKind("Custom") == ProviderErrorKind.Unknown).Should().BeFalse();
        default(ProviderErrorKind).Value.Should().Be("Unknown");
    }

    [Fact]
    public void ConcurrencyConflict_SaysToReread()
    {
        new ConcurrencyConflictException(KeyReference.Parse("openai/prod"), 3, 4).Message.Should().Contain("openai/prod").And.Contain("Re-read");
        new ConcurrencyConflictException(KeyReference.Parse("openai/prod"), 3, null).Message.Should().Contain("deleted");
    }

    [Fact]
    public void NotSupportedByProvider_NamesTheCapability()
    {
        var exception = new NotSupportedByProviderException(ProviderId.Anthropic, ProviderCapabilities.Create, "Create the key in the Console.");
        exception.Message.Should().Be("Provider 'anthropic' does not support 'Create' by API. Create the key in the Console.");
    }
}
