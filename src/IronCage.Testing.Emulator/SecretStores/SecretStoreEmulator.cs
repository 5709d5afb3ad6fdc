using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Testing.Emulator;

/// <summary>
/// The base of the secret-store emulators (Azure Key Vault, AWS Secrets Manager, HashiCorp Vault, Kubernetes, Cloudflare
/// Secrets Store): each is its own Kestrel server on 127.0.0.1 with a port the system picks, the service at the root of
/// <see cref="BaseAddress"/>, state in memory, a request log and a switch to fail the next requests.
/// </summary>
public abstract class SecretStoreEmulator : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly object _faultsLock = new();
    private readonly List<(int StatusCode, string? PathContains, int Remaining)> _faults = [];
    private WebApplication? _app;

    private protected SecretStoreEmulator(TimeProvider? time)
    {
        Time = time ?? TimeProvider.System;
    }

    /// <summary>Gets the server's root address (<c>http://127.0.0.1:port/</c>, or <c>https://</c> for Key Vault); it ends in <c>/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets every request received, as <c>METHOD path?query</c>, oldest first.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    private protected TimeProvider Time { get; }

    private protected object Sync { get; } = new();

    /// <summary>Makes the next <paramref name="times"/> requests (whose path contains <paramref name="pathContains"/>, if given) fail with <paramref name="statusCode"/> and the service's error body.</summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="times">How many requests fail.</param>
    /// <param name="pathContains">A text the path must contain, or <see langword="null"/> for any request.</param>
    public void FailNext(int statusCode, int times = 1, string? pathContains = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (_faultsLock)
        {
            _faults.Add((statusCode, pathContains, times));
        }
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private protected async Task StartCoreAsync(X509Certificate2? certificate, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        app.Run(DispatchAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        _app = app;
    }

    private protected abstract Task HandleAsync(HttpContext context, string path);

    private protected abstract Task WriteErrorAsync(HttpContext context, int statusCode, string message);

    private protected static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode body, string contentType = "application/json; charset=utf-8")
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private protected static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private protected static JsonNode? ParseJson(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private protected static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private protected static string NewId(int length = 32) => RandomNumberGenerator.GetHexString(length, lowercase: true);

    private protected static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private async Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.Enqueue($"{context.Request.Method} {path}{context.Request.QueryString}");
        if (TakeFault(path) is { } status)
        {
            await WriteErrorAsync(context, status, "Injected by the IronCage emulator.").ConfigureAwait(false);
            return;
        }

        await HandleAsync(context, path).ConfigureAwait(false);
    }

    private int? TakeFault(string path)
    {
        lock (_faultsLock)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var (status, contains, remaining) = _faults[i];
                if (contains is null || path.Contains(contains, StringComparison.Ordinal))
                {
                    if (remaining <= 1)
                    {
                        _faults.RemoveAt(i);
                    }
                    else
                    {
                        _faults[i] = (status, contains, remaining - 1);
                    }

                    return status;
                }
            }

            return null;
        }
    }
}
