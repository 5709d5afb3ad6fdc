using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Testing.Emulator;

/// <summary>
/// A loopback emulator of OpenAI, Anthropic, OpenRouter, Mistral, Perplexity, xAI and Fireworks: a real Kestrel server on 127.0.0.1 with a random port, each
/// provider under its own path prefix (<see cref="EmulatedProvider.BaseAddress"/>), state in memory. Point an adapter's
/// <c>BaseAddress</c> at a provider's base address and its admin key at the emulator's.
/// </summary>
/// <example>
/// <code>
/// await using var emulator = await ProviderEmulator.StartAsync();
/// services.AddIronCage().AddOpenAI("openai", o =&gt; { o.BaseAddress = emulator.OpenAI.BaseAddress; o.AdminKey = emulator.OpenAI.AdminKey; });
/// var current = emulator.OpenAI.AddProjectKey("prod");   // a key that already exists, to register as the current one
/// </code>
/// </example>
public sealed class ProviderEmulator : IAsyncDisposable
{
    private const string OpenAIPrefix = "/openai/";
    private const string AnthropicPrefix = "/anthropic/";
    private const string OpenRouterPrefix = "/openrouter/";
    private const string MistralPrefix = "/mistral/";
    private const string PerplexityPrefix = "/perplexity/";
    private const string XAIPrefix = "/xai/";
    private const string FireworksPrefix = "/fireworks/";
    private readonly WebApplication _app;

    private ProviderEmulator(WebApplication app, Uri baseAddress, TimeProvider time)
    {
        _app = app;
        BaseAddress = baseAddress;
        OpenAI = new OpenAIEmulator(new Uri(baseAddress, "openai/v1/"), time);
        Anthropic = new AnthropicEmulator(new Uri(baseAddress, "anthropic/"), time);
        OpenRouter = new OpenRouterEmulator(new Uri(baseAddress, "openrouter/api/v1/"), time);
        Mistral = new MistralEmulator(new Uri(baseAddress, "mistral/"), time);
        Perplexity = new PerplexityEmulator(new Uri(baseAddress, "perplexity/"), time);
        XAI = new XAIEmulator(new Uri(baseAddress, "xai/"), time);
        Fireworks = new FireworksEmulator(new Uri(baseAddress, "fireworks/"), time);
    }

    /// <summary>Gets the server's root address (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the OpenAI emulator; its base address plays <c>https://api.openai.com/v1/</c>.</summary>
    public OpenAIEmulator OpenAI { get; }

    /// <summary>Gets the Anthropic emulator; its base address plays <c>https://api.anthropic.com/</c>.</summary>
    public AnthropicEmulator Anthropic { get; }

    /// <summary>Gets the OpenRouter emulator; its base address plays <c>https://openrouter.ai/api/v1/</c>.</summary>
    public OpenRouterEmulator OpenRouter { get; }

    /// <summary>Gets the Mistral emulator; its base address plays <c>https://console.mistral.ai/api/admin/</c>, its <see cref="MistralEmulator.InferenceAddress"/> <c>https://api.mistral.ai/v1/</c>.</summary>
    public MistralEmulator Mistral { get; }

    /// <summary>Gets the Perplexity emulator; its base address plays <c>https://api.perplexity.ai/</c>.</summary>
    public PerplexityEmulator Perplexity { get; }

    /// <summary>Gets the xAI emulator; its base address plays <c>https://management-api.x.ai/</c>, its <see cref="XAIEmulator.InferenceAddress"/> <c>https://api.x.ai/</c>.</summary>
    public XAIEmulator XAI { get; }

    /// <summary>Gets the Fireworks AI emulator; its base address plays <c>https://api.fireworks.ai/</c>.</summary>
    public FireworksEmulator Fireworks { get; }

    /// <summary>Starts an emulator on 127.0.0.1 with a port the system picks.</summary>
    /// <param name="time">The time the emulator stamps keys with and checks expiry against; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<ProviderEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        ProviderEmulator? emulator = null;
        app.Run(context => emulator!.DispatchAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator = new ProviderEmulator(app, new Uri(address.TrimEnd('/') + "/"), time ?? TimeProvider.System);
        return emulator;
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (path.StartsWith(OpenAIPrefix, StringComparison.Ordinal))
        {
            return OpenAI.DispatchAsync(context, path[OpenAIPrefix.Length..]);
        }

        if (path.StartsWith(AnthropicPrefix, StringComparison.Ordinal))
        {
            return Anthropic.DispatchAsync(context, path[AnthropicPrefix.Length..]);
        }

        if (path.StartsWith(OpenRouterPrefix, StringComparison.Ordinal))
        {
            return OpenRouter.DispatchAsync(context, path[OpenRouterPrefix.Length..]);
        }

        if (path.StartsWith(MistralPrefix, StringComparison.Ordinal))
        {
            return Mistral.DispatchAsync(context, path[MistralPrefix.Length..]);
        }

        if (path.StartsWith(PerplexityPrefix, StringComparison.Ordinal))
        {
            return Perplexity.DispatchAsync(context, path[PerplexityPrefix.Length..]);
        }

        if (path.StartsWith(XAIPrefix, StringComparison.Ordinal))
        {
            return XAI.DispatchAsync(context, path[XAIPrefix.Length..]);
        }

        if (path.StartsWith(FireworksPrefix, StringComparison.Ordinal))
        {
            return Fireworks.DispatchAsync(context, path[FireworksPrefix.Length..]);
        }

        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    }
}
