using System.Net;
using IronCage.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime.Testing;

namespace IronCage.AspNetCore.Tests;

/// <summary>
/// The same host as <see cref="AdminTestHost"/> (services and endpoints shared) under Microsoft.AspNetCore.Mvc.Testing's
/// <see cref="WebApplicationFactory{TEntryPoint}"/> and its in-memory TestServer. TestServer gives no client address,
/// so one middleware makes the connection loopback; remote callers then arrive through ForwardedHeaders as in the Kestrel host.
/// </summary>
public sealed class AdminFactory : WebApplicationFactory<AdminFactory>
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ironcage-admin-factory-");

    public AdminFactory()
    {
        Clock = FakeClock.FromUtc(2026, 11, 2, 9, 0, 0);
        OpenAI = FakeProviderAdapter.For(ProviderId.OpenAI, Clock);
        Anthropic = FakeProviderAdapter.For(ProviderId.Anthropic, Clock);
        Groq = FakeProviderAdapter.For(ProviderId.Groq, Clock);
    }

    public FakeClock Clock { get; }

    public FakeProviderAdapter OpenAI { get; }

    public FakeProviderAdapter Anthropic { get; }

    public FakeProviderAdapter Groq { get; }

    /// <summary>A client whose responses go to the run's secret leak check, like the Kestrel host's.</summary>
    public HttpClient CreateCapturingClient() => CreateDefaultClient(new AdminTestHost.CapturingHandler());

    protected override IHostBuilder CreateHostBuilder()
        => Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders().AddProvider(new SecretLeakLoggerProvider()).SetMinimumLevel(LogLevel.Debug))
            .ConfigureWebHostDefaults(web => web
                .UseContentRoot(AppContext.BaseDirectory)
                .ConfigureServices(services =>
                {
                    services.AddRouting();
                    AdminTestHost.AddServices(services, _folder, Clock, [OpenAI, Anthropic, Groq]);
                })
                .Configure(app =>
                {
                    app.Use((context, next) =>
                    {
                        context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                        return next(context);
                    });
                    app.UseForwardedHeaders();
                    app.UseRouting();
                    app.UseAuthentication();
                    app.UseAuthorization();
                    app.UseEndpoints(AdminTestHost.MapEndpoints);
                }));

    // The factory guesses a content root next to the solution file, which this test project does not have; the host
    // serves no files, so its content root is the test output. Set last, after the factory's guess.
    protected override IHost CreateHost(IHostBuilder builder)
    {
        builder.UseContentRoot(AppContext.BaseDirectory);
        return base.CreateHost(builder);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                _folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; the temp folder is cleaned up by the OS.
            }
        }
    }
}
