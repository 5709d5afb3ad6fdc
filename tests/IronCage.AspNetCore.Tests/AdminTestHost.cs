using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using IronCage.AspNetCore.Authorization;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.AspNetCore.Tests;

/// <summary>
/// A real host: Kestrel on 127.0.0.1:0, SQLite in a temp folder, fake OpenAI and Anthropic providers, a header-driven
/// test authentication scheme, the host's ForwardedHeaders (so a test can be a remote client), the admin API and the dashboard.
/// Every response the suite sees is captured for the run's secret leak check.
/// </summary>
internal sealed class AdminTestHost : IAsyncDisposable
{
    public const string Operator = "operator";
    public const string Viewer = "viewer";
    public const string RemoteAllowed = "10.1.2.3";
    public const string RemoteDisallowed = "203.0.113.9";

    private readonly WebApplication _app;
    private readonly DirectoryInfo _folder;

    private AdminTestHost(WebApplication app, DirectoryInfo folder, FakeProviderAdapter openAI, FakeProviderAdapter anthropic, FakeProviderAdapter groq, FakeClock clock)
    {
        _app = app;
        _folder = folder;
        OpenAI = openAI;
        Anthropic = anthropic;
        Groq = groq;
        Clock = clock;
        Client = new HttpClient(new CapturingHandler { InnerHandler = new HttpClientHandler() }) { BaseAddress = new Uri(app.Urls.First()) };
    }

    public HttpClient Client { get; }

    public FakeProviderAdapter OpenAI { get; }

    public FakeProviderAdapter Anthropic { get; }

    /// <summary>Gets the Groq fake: a Manual-tier provider (a person creates each new key; IronCage records it).</summary>
    public FakeProviderAdapter Groq { get; }

    public FakeClock Clock { get; }

    public IServiceProvider Services => _app.Services;

    public IKeyRotator Rotator => Services.GetRequiredService<IKeyRotator>();

    public IAuditLog Audit => Services.GetRequiredService<IAuditLog>();

    /// <summary>Starts a host; <paramref name="configurePolicies"/> false leaves every permission unconfigured (the secure default); <paramref name="onlyPolicies"/> registers policies for those permissions alone.</summary>
    public static async Task<AdminTestHost> StartAsync(bool configurePolicies = true, Action<AdminAccessOptions>? access = null, IReadOnlyCollection<string>? onlyPolicies = null, string environment = "Development")
    {
        var folder = Directory.CreateTempSubdirectory("ironcage-admin-");
        var clock = FakeClock.FromUtc(2026, 11, 2, 9, 0, 0);
        var openAI = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        var anthropic = FakeProviderAdapter.For(ProviderId.Anthropic, clock);
        var groq = FakeProviderAdapter.For(ProviderId.Groq, clock);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new SecretLeakLoggerProvider()).SetMinimumLevel(LogLevel.Debug);
        AddServices(builder.Services, folder, clock, [openAI, anthropic, groq], configurePolicies, access, onlyPolicies);

        var app = builder.Build();
        app.UseForwardedHeaders();
        app.UseAuthentication();
        app.UseAuthorization();
        MapEndpoints(app);
        await app.StartAsync();
        return new AdminTestHost(app, folder, openAI, anthropic, groq, clock);
    }

    /// <summary>The host's services: IronCage on SQLite in <paramref name="folder"/>, the fakes, admin access and the test authentication. Shared by the Kestrel host and <see cref="AdminFactory"/>.</summary>
    public static void AddServices(IServiceCollection services, DirectoryInfo folder, FakeClock clock, FakeProviderAdapter[] providers, bool configurePolicies = true, Action<AdminAccessOptions>? access = null, IReadOnlyCollection<string>? onlyPolicies = null)
    {
        services.AddSingleton<IClock>(clock);
        services
            .AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .PersistToSqlite($"Data Source={Path.Combine(folder.FullName, "ironcage.db")};Pooling=False")
            .AddProviderAdapter(providers[0])
            .AddProviderAdapter(providers[1])
            .AddProviderAdapter(providers[2])
            .AddRotation()
            .AddUsageTracking()
            .AddAdmin(o =>
            {
                if (configurePolicies)
                {
                    foreach (var permission in AdminPermissions.All)
                    {
                        o.AllowNetworks(permission, "127.0.0.0/8", "10.0.0.0/8");
                    }
                }

                access?.Invoke(o);
            });
        services.AddHealthChecks().AddIronCageHealthChecks();
        services.AddOpenApi();
        services.AddAuthentication(TestAuthHandler.Name).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.Name, null);
        services.AddAuthorization(o =>
        {
            if (configurePolicies)
            {
                foreach (var permission in AdminPermissions.All.Where(p => p != AdminPermissions.Admin && (onlyPolicies is null || onlyPolicies.Contains(p))))
                {
                    o.AddPolicy(permission, p => p.RequireRole(Operator));
                }

                if (onlyPolicies is null || onlyPolicies.Contains(AdminPermissions.Admin))
                {
                    o.AddPolicy(AdminPermissions.Admin, p => p.RequireRole("admin"));
                }
            }
        });
        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);
    }

    /// <summary>The endpoints every test host maps: the admin API, the dashboard, OpenAPI and health.</summary>
    public static void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapIronCageAdmin();
        endpoints.MapIronCageDashboard();
        endpoints.MapOpenApi();
        endpoints.MapHealthChecks("/health");
    }

    /// <summary>A client of its own (its own cookies) that does not follow redirects, as a test of a form's 303 needs; its responses are captured for the leak check too.</summary>
    public HttpClient CreateFormClient()
        => new(new CapturingHandler { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false } }) { BaseAddress = Client.BaseAddress };

    /// <summary>A request as <paramref name="caller"/>.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, Caller caller, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (caller.User is not null)
        {
            request.Headers.Add(TestAuthHandler.UserHeader, caller.User);
            request.Headers.Add(TestAuthHandler.RolesHeader, string.Join(",", caller.Roles));
            if (caller.Mfa)
            {
                request.Headers.Add(TestAuthHandler.AmrHeader, "pwd,mfa");
            }
        }

        if (caller.ForwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", caller.ForwardedFor);
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Caller caller, HttpContent? content = null)
        => await Client.SendAsync(Request(method, path, caller, content));

    /// <summary>Registers a key directly (not through the API) and returns its value, which the fake provider accepts.</summary>
    public async Task<(KeyReference Key, SecretValue Secret)> SeedAsync(string name, ProviderId? provider = null)
    {
        var adapter = provider == ProviderId.Anthropic ? Anthropic : provider == ProviderId.Groq ? Groq : OpenAI;
        var secret = FakeKeys.Generate(adapter.Provider);
        var id = adapter.AddExistingKey(secret, "seed-" + name);
        var reference = new KeyReference(adapter.Provider, name);
        await Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = id }, secret);
        return (reference, secret);
    }

    public async Task<List<AuditRecord>> AuditAsync()
    {
        var all = new List<AuditRecord>();
        await foreach (var record in Audit.ReadAsync())
        {
            all.Add(record);
        }

        return all;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file on a slow disposal; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>Who calls: a user with roles and an MFA claim, optionally from a remote address (through X-Forwarded-For from the loopback proxy).</summary>
    internal sealed record Caller(string Label, string? User, string[] Roles, bool Mfa, string? ForwardedFor)
    {
        public static Caller Anonymous { get; } = new("anonymous", null, [], false, null);

        public static Caller WrongRole { get; } = new("wrong role", "victor", [Viewer], true, RemoteAllowed);

        public static Caller RightRoleNoMfa { get; } = new("right role without MFA", "olga", [Operator, "admin"], false, RemoteAllowed);

        public static Caller RightRoleMfa { get; } = new("right role with MFA", "olga", [Operator, "admin"], true, RemoteAllowed);

        public static Caller DisallowedIp { get; } = new("disallowed IP", "olga", [Operator, "admin"], true, RemoteDisallowed);

        public static Caller LocalAnonymous { get; } = new("loopback, no user", null, [], false, null);

        public static Caller RemoteNoPolicy { get; } = new("remote with no policy configured", "olga", [Operator, "admin"], true, RemoteDisallowed);

        public override string ToString() => Label;
    }

    internal sealed class CapturingHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var headers = string.Join("; ", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
            SecretLeakRegistry.Shared.Capture($"HTTP {request.Method} {request.RequestUri?.PathAndQuery} -> {(int)response.StatusCode} {headers} {body}");
            return response;
        }
    }

    private sealed class TestAuthHandler : AuthenticationHandler<AuthenticationSchemeOptions>
    {
        public const string Name = "Test";
        public const string UserHeader = "X-Test-User";
        public const string RolesHeader = "X-Test-Roles";
        public const string AmrHeader = "X-Test-Amr";

        public TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
            : base(options, logger, encoder)
        {
        }

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user.ToString()) };
            claims.AddRange(Request.Headers[RolesHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
            claims.AddRange(Request.Headers[AmrHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(a => new Claim("amr", a)));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Name)), Name)));
        }
    }
}
