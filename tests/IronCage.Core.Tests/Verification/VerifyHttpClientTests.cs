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

    [Fact]
    public void VerifyClient_HostConfigureHttpClientDefaults_AddsNoHandlerToIt()
    {
        // A host-wide AddStandardResilienceHandler() would multiply the calls one verification makes and cut under VerifyTimeout.
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new HostDefaultHandler()));
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());
        services.AddHttpClient("host-client");
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpMessageHandlerFactory>();

        Chain(factory.CreateHandler(IronCageConstants.VerifyHttpClientName)).Should().NotContain(h => h is HostDefaultHandler);
        Chain(factory.CreateHandler("host-client")).Should().Contain(h => h is HostDefaultHandler, "the host's own clients keep its defaults");
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

    private static List<HttpMessageHandler> Chain(HttpMessageHandler handler)
    {
        var chain = new List<HttpMessageHandler> { handler };
        while (handler is DelegatingHandler { InnerHandler: { } inner })
        {
            chain.Add(inner);
            handler = inner;
        }

        return chain;
    }

    private sealed class HostDefaultHandler : DelegatingHandler
    {
    }
}
