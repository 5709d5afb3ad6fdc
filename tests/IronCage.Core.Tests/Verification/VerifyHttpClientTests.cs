using System.Net.Http;
using IronCage.Encryption;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace IronCage.Core.Tests.Verification;

public sealed class VerifyHttpClientTests
{
    [Fact]
    public void VerifyClient_NeverFollowsRedirects()
    {
        // A redirect would carry x-api-key / api-key / x-goog-api-key headers to another host (only Authorization is dropped).
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());
        using var provider = services.BuildServiceProvider();

        var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(IronCageConstants.VerifyHttpClientName);
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler!;
        }

        handler.Should().BeOfType<SocketsHttpHandler>().Which.AllowAutoRedirect.Should().BeFalse();
    }

    [Theory]
    [InlineData("500us", 0.5)]
    [InlineData("500µs", 0.5)]
    [InlineData("250000ns", 0.25)]
    public void TryParseGoDuration_SubMillisecondUnits(string text, double milliseconds)
    {
        ProviderResponseClassifier.TryParseGoDuration(text, out var duration).Should().BeTrue();
        duration.TotalMilliseconds.Should().BeApproximately(milliseconds, 0.001);
    }
}
