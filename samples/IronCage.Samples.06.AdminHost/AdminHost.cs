using System.Security.Cryptography;
using IronCage.AspNetCore.Authorization;
using IronCage.Encryption;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using IronCage.Usage;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NodaTime;

namespace IronCage.Samples.AdminHost;

/// <summary>
/// The admin host: IronCage with the OpenAI adapter against the loopback emulator, SQLite in a temporary folder, the
/// admin API at <c>/api/admin</c> (cookie or JWT bearer) and the dashboard at <c>/ironcage</c> (cookie), two roles
/// mapped to IronCage's permissions, MFA step-up through the <c>amr</c> claim.
/// </summary>
public sealed class AdminHost : IAsyncDisposable
{
    private const string Issuer = "ironcage-sample";
    private readonly WebApplication _app;
    private readonly DirectoryInfo _folder;
    private readonly SymmetricSecurityKey _signingKey;

    private AdminHost(WebApplication app, DirectoryInfo folder, ProviderEmulator emulator, SymmetricSecurityKey signingKey, Uri address)
    {
        _app = app;
        _folder = folder;
        Emulator = emulator;
        _signingKey = signingKey;
        Address = address;
    }

    public Uri Address { get; }

    public ProviderEmulator Emulator { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<AdminHost> StartAsync(string[] args)
    {
        var emulator = await ProviderEmulator.StartAsync();
        var folder = Directory.CreateTempSubdirectory("ironcage-adminhost-");
        var signingKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(AdminHost).Assembly.GetName().Name });
        if (builder.Configuration["urls"] is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error); // the sample keeps its antiforgery keys in memory

        // 1. IronCage: the OpenAI adapter against the emulator, SQLite, rotation, usage, the operator surface.
        builder.Services
            .AddIronCage()
            .ProtectKeysWithMasterKey(builder.Configuration["IronCage:MasterKey"] ?? LocalMasterKeyProvider.GenerateMasterKey())
            .PersistToSqlite($"Data Source={Path.Combine(folder.FullName, "ironcage.db")};Pooling=False")
            .AddOpenAI("openai", o =>
            {
                o.BaseAddress = emulator.OpenAI.BaseAddress;
                o.AdminKey = emulator.OpenAI.AdminKey;
            })
            .AddRotation()
            .AddUsageTracking()
            .AddAdmin();

        // 2. Sessions for people (cookie, the default) and bearer tokens for scripts (JWT).
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/signin";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
            })
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = Issuer, IssuerSigningKey = signingKey, NameClaimType = "name", RoleClaimType = "role" };
            });

        // 3. Two roles mapped to IronCage's permissions; both schemes are accepted by every policy.
        string[] schemes = [CookieAuthenticationDefaults.AuthenticationScheme, JwtBearerDefaults.AuthenticationScheme];
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy(AdminPermissions.KeysRead, p => p.AddAuthenticationSchemes(schemes).RequireRole(DemoUsers.OperatorRole, DemoUsers.SecurityRole));
            foreach (var permission in new[] { AdminPermissions.KeysCreate, AdminPermissions.KeysRotate, AdminPermissions.KeysRevoke, AdminPermissions.KeysLimits })
            {
                o.AddPolicy(permission, p => p.AddAuthenticationSchemes(schemes).RequireRole(DemoUsers.OperatorRole));
            }

            o.AddPolicy(AdminPermissions.AuditRead, p => p.AddAuthenticationSchemes(schemes).RequireRole(DemoUsers.SecurityRole));
            o.AddPolicy(AdminPermissions.Admin, p => p.AddAuthenticationSchemes(schemes).RequireRole(DemoUsers.SecurityRole));
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/", () => Results.LocalRedirect("/ironcage"));
        SignInPage.Map(app);
        app.MapIronCageAdmin("/api/admin");
        app.MapIronCageDashboard("/ironcage");
        await app.StartAsync();

        await SeedAsync(app.Services, emulator);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new AdminHost(app, folder, emulator, signingKey, address);
    }

    /// <summary>A bearer token for a demo user, as an identity provider would issue it.</summary>
    public string IssueToken(string user)
    {
        var (roles, amr) = DemoUsers.All[user];
        var claims = new Dictionary<string, object> { ["name"] = user, ["role"] = roles, ["amr"] = amr };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Issuer,
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.HmacSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Emulator.DisposeAsync();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temporary folder is the OS's to clean.
        }
    }

    // openai/prod (monthly) with 45 days of usage on two models (today's through the recorder), and groq/legacy: a manual-tier key a person rotates.
    private static async Task SeedAsync(IServiceProvider services, ProviderEmulator emulator)
    {
        var rotator = services.GetRequiredService<IKeyRotator>();
        var recorder = services.GetRequiredService<IUsageRecorder>();
        var now = services.GetRequiredService<IClock>().GetCurrentInstant();
        var prod = emulator.OpenAI.AddProjectKey("prod");
        var scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId };
        var reference = KeyReference.Parse("openai/prod");

        // The usage history first, so the live usage view loads it when the key is registered.
        var records = new List<UsageRecord>();
        for (var day = 44; day >= 1; day--)
        {
            var minute = now - Duration.FromDays(day) - Duration.FromMinutes(now.InUtc().Minute);
            var load = 20 + ((day * 37) % 17);
            records.Add(new UsageRecord { Key = reference, Minute = minute, Model = "gpt-4o-mini", Requests = load * 3, Errors = day % 9 == 0 ? 2 : 0, InputTokens = load * 900, OutputTokens = load * 300, Cost = load * 0.012m });
            records.Add(new UsageRecord { Key = reference, Minute = minute, Model = "gpt-4o", Requests = load, InputTokens = load * 1200, OutputTokens = load * 500, Cost = load * 0.085m });
        }

        await services.GetRequiredService<IUsageStore>().AppendAsync(records);

        using (var secret = prod.ToSecretValue())
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = reference, Scope = scope, ProviderKeyId = prod.Id, Policy = new RotationPolicy { Schedule = RotationSchedule.Monthly } }, secret);
        }

        // Today's calls, as the usage handler records them (priced by the catalog).
        for (var call = 0; call < 40; call++)
        {
            recorder.Record(new UsageSample(reference, now - Duration.FromMinutes(call), call % 4 == 0 ? "gpt-4o" : "gpt-4o-mini", 1200, 400, call % 13 == 0 ? ProviderErrorKind.RateLimited : null));
        }

        await recorder.FlushAsync();

        using (var legacy = SecretValue.FromString("gsk_" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 52)))
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("groq/legacy"), Policy = new RotationPolicy { Schedule = RotationSchedule.Quarterly }, Verify = false }, legacy);
        }

    }
}
