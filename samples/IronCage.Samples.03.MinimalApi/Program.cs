using System.Net.Http.Json;
using System.Text.Json;
using IronCage.Encryption;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using NodaTime;

namespace IronCage.Samples.MinimalApi;

/// <summary>
/// An ASP.NET Core minimal API: a chat endpoint whose <see cref="HttpClient"/> carries the current key of
/// <c>openai/prod</c>, a health check that reports keys due for rotation or about to expire, and IronCage's metrics as
/// JSON. With no arguments it binds 127.0.0.1, starts the provider emulator, calls its own endpoints once and exits;
/// with <c>--serve</c> it keeps serving until Ctrl+C.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // 1. The OpenAI emulator stands in for api.openai.com; two project keys exist there.
        await using var emulator = await ProviderEmulator.StartAsync();
        var prod = emulator.OpenAI.AddProjectKey("prod");
        var batch = emulator.OpenAI.AddProjectKey("batch");

        // 2. The web host: IronCage with the OpenAI adapter, the key resolver, a named HttpClient that carries the key.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(Program).Assembly.GetName().Name });
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0"); // loopback and a free port, unless --urls says otherwise
        }

        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services
            .AddIronCage()
            .ProtectKeysWithMasterKey(builder.Configuration["IronCage:MasterKey"] ?? LocalMasterKeyProvider.GenerateMasterKey())
            .AddOpenAI("openai", o =>
            {
                o.BaseAddress = emulator.OpenAI.BaseAddress;
                o.AdminKey = emulator.OpenAI.AdminKey;
            })
            .AddRotation()
            .AddKeyResolver();
        builder.Services.AddHttpClient("openai", c => c.BaseAddress = emulator.OpenAI.BaseAddress)
            .AddIronCageKey("openai/prod");
        builder.Services.AddHealthChecks().AddCheck<KeyRotationHealthCheck>("ironcage-keys");
        builder.Services.AddSingleton<IronCageMetrics>();

        await using var app = builder.Build();

        // 3. The endpoints: a chat proxy, health, metrics.
        app.MapPost("/chat", async (ChatRequest request, IHttpClientFactory clients, CancellationToken cancellationToken) =>
        {
            var client = clients.CreateClient("openai"); // no key in sight: the IronCage handler adds it to every request
            using var response = await client.PostAsJsonAsync("chat/completions", new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = request.Prompt } } }, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return Results.Problem($"The provider answered {(int)response.StatusCode}.", statusCode: StatusCodes.Status502BadGateway);
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var reply = body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            return Results.Ok(new ChatReply(reply ?? string.Empty, body.GetProperty("usage").GetProperty("total_tokens").GetInt32()));
        });
        app.MapHealthChecks("/health", new() { ResponseWriter = KeyRotationHealthCheck.WriteJsonAsync });
        app.MapGet("/metrics", (IronCageMetrics metrics) => Results.Ok(metrics.Snapshot()));

        app.Services.GetRequiredService<IronCageMetrics>(); // listen from the start
        await app.StartAsync();

        // 4. The managed keys: openai/prod rotates monthly; openai/batch was issued with an expiry three days from now.
        var rotator = app.Services.GetRequiredService<IKeyRotator>();
        var now = app.Services.GetRequiredService<IClock>().GetCurrentInstant();
        var scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId };
        using (var secret = prod.ToSecretValue())
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("openai/prod"), Scope = scope, ProviderKeyId = prod.Id, Policy = new RotationPolicy { Schedule = RotationSchedule.Monthly } }, secret);
        }

        using (var secret = batch.ToSecretValue())
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("openai/batch"), Scope = scope, ProviderKeyId = batch.Id, ExpiresAt = now + Duration.FromDays(3) }, secret);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        output.WriteLine($"listening on {address}");
        if (args.Contains("--serve"))
        {
            output.WriteLine($"try: curl -X POST {address}/chat -H 'Content-Type: application/json' -d '{{\"prompt\":\"hi\"}}'; Ctrl+C stops");
            await app.WaitForShutdownAsync();
            return 0;
        }

        // 5. Without --serve the sample calls its own endpoints once and stops.
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var chat = await http.PostAsJsonAsync("/chat", new ChatRequest("Say hello."));
        var reply = await chat.Content.ReadFromJsonAsync<ChatReply>();
        output.WriteLine($"POST /chat    -> {(int)chat.StatusCode} \"{reply?.Reply}\" ({reply?.TotalTokens} tokens)");

        using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
        output.WriteLine($"GET /health   -> {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");

        var metrics = await http.GetFromJsonAsync<List<MetricPoint>>("/metrics") ?? [];
        output.WriteLine($"GET /metrics  -> {metrics.Count} series");
        foreach (var point in metrics)
        {
            output.WriteLine($"  {point.Instrument,-34} {point.Tags,-46} {point.Value,10:0.######} {point.Unit}");
        }

        await app.StopAsync();
        return chat.IsSuccessStatusCode && health.IsSuccessStatusCode ? 0 : 1;
    }

    private sealed record ChatRequest(string Prompt);

    private sealed record ChatReply(string Reply, int TotalTokens);
}
