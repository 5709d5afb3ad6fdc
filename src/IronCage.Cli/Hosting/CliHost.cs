using IronCage.Cli.Output;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronCage.Cli.Hosting;

/// <summary>
/// Composes IronCage the way a host does, from the same configuration (<c>appsettings.json</c>, <c>IronCage__…</c>
/// environment variables) plus the global options: the store (SQLite or PostgreSQL), the master key (from the
/// environment or a file, never from the command line), rotation, usage and every provider adapter whose section is
/// configured. No scheduler runs: the tool acts once and exits.
/// </summary>
internal static class CliHost
{
    /// <summary>The configuration sections of the provider adapters, and how each is added.</summary>
    private static readonly (string Section, string Name, Action<IIronCageBuilder, string, IConfiguration> Add)[] Adapters =
    [
        ("IronCage:OpenAI", "openai", (b, n, c) => b.AddOpenAI(n, c)),
        ("IronCage:Anthropic", "anthropic", (b, n, c) => b.AddAnthropic(n, c)),
        ("IronCage:OpenRouter", "openrouter", (b, n, c) => b.AddOpenRouter(n, c)),
        ("IronCage:AwsBedrock", "aws-bedrock", (b, n, c) => b.AddAwsBedrock(n, c)),
        ("IronCage:AzureOpenAI", "azure-openai", (b, n, c) => b.AddAzureOpenAI(n, c)),
        ("IronCage:GoogleGemini", "google-gemini", (b, n, c) => b.AddGoogleGemini(n, c)),
    ];

    /// <summary>Builds and starts the host (migrations and start-up checks run here).</summary>
    /// <param name="context">The run.</param>
    /// <param name="settings">The global options.</param>
    /// <param name="stopOnFailedChecks">
    /// <see langword="false"/> for <c>doctor</c>, which reports what the host's start-up checks would stop on (a master
    /// key that does not open the store) instead of being stopped by them.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="CliConfigurationException">The store or the master key is not configured, or the settings file is missing.</exception>
    public static async Task<IHost> StartAsync(CliContext context, CliSettings settings, bool stopOnFailedChecks, CancellationToken cancellationToken)
    {
        var configuration = BuildConfiguration(context, settings);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = context.WorkingDirectory });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new StandardErrorLoggerProvider(context.Error));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        var ironCage = builder.Services.AddIronCage();
        ConfigureMasterKey(ironCage, context, settings, configuration);
        ConfigureStore(ironCage, settings, configuration);
        foreach (var (section, name, add) in Adapters)
        {
            var adapterSection = configuration.GetSection(section);
            if (adapterSection.Exists())
            {
                add(ironCage, name, adapterSection);
            }
        }

        ironCage.AddRotation().AddUsageTracking().AddKeyImport().AddLeakResponse(configuration.GetSection("IronCage:Leaks"));
        if (!stopOnFailedChecks)
        {
            // Rotation's start-up check opens one stored secret and stops the host when the master key is wrong;
            // doctor opens every one of them and reports each.
            foreach (var check in builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "StoredSecretStartupCheck").ToList())
            {
                builder.Services.Remove(check);
            }
        }

        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    /// <summary>Who the audit trail records: <c>--actor</c>, else <c>cli:</c> and the signed-in user's name.</summary>
    public static string Actor(CliContext context, CliSettings settings)
        => settings.Actor ?? "cli:" + (context.Variable("USER") ?? context.Variable("USERNAME") ?? "unknown");

    private static IConfiguration BuildConfiguration(CliContext context, CliSettings settings)
    {
        var configuration = new ConfigurationBuilder();
        if (settings.ConfigFile is { } file)
        {
            var path = context.PathFor(file);
            if (!File.Exists(path))
            {
                throw new CliConfigurationException($"The settings file '{path}' (--config) does not exist. Give the path of the host's appsettings.json, or leave --config out to read appsettings.json from the current directory when there is one.");
            }

            configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        else
        {
            configuration.AddJsonFile(context.PathFor("appsettings.json"), optional: true, reloadOnChange: false);
        }

        // The environment as a host's configuration sees it: IronCage__OpenAI__AdminKey is IronCage:OpenAI:AdminKey.
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in context.Environment)
        {
            if (name.StartsWith("IronCage__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
            }
        }

        configuration.AddInMemoryCollection(fromEnvironment);
        return configuration.Build();
    }

    private static void ConfigureMasterKey(IIronCageBuilder ironCage, CliContext context, CliSettings settings, IConfiguration configuration)
    {
        var file = settings.MasterKeyFile ?? context.Variable("IRONCAGE_MASTER_KEY_FILE") ?? configuration["IronCage:MasterKeyFile"];
        var value = file is null ? context.Variable(IronCageConstants.MasterKeyEnvironmentVariable) ?? configuration["IronCage:MasterKey"] : null;
        if (file is null && value is null)
        {
            throw new CliConfigurationException($"No master key: set {IronCageConstants.MasterKeyEnvironmentVariable} to the store's base64 master key, or give a file that holds it with --master-key-file (or IRONCAGE_MASTER_KEY_FILE). The tool never takes the master key itself as an argument: it would be kept in shell history and shown by ps.");
        }

        var retired = RetiredMasterKeys(context);
        ironCage.ProtectKeysWithMasterKey(o =>
        {
            if (file is not null)
            {
                var path = context.PathFor(file);
                o.MasterKeyFile = File.Exists(path) ? path : throw new CliConfigurationException($"The master key file '{path}' does not exist. Point --master-key-file (or IRONCAGE_MASTER_KEY_FILE) at the file that holds the store's base64 master key.");
            }
            else
            {
                o.MasterKey = value;
            }

            foreach (var key in retired)
            {
                o.RetiredMasterKeys.Add(key);
            }
        });
    }

    /// <summary>
    /// The retired master keys a master-key rotation keeps until every secret is re-wrapped: base64 keys in
    /// <c>IRONCAGE_RETIRED_MASTER_KEYS</c> (comma-separated), or files named in <c>IRONCAGE_RETIRED_MASTER_KEY_FILES</c>.
    /// </summary>
    private static List<string> RetiredMasterKeys(CliContext context)
    {
        var keys = (context.Variable("IRONCAGE_RETIRED_MASTER_KEYS") ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        foreach (var file in (context.Variable("IRONCAGE_RETIRED_MASTER_KEY_FILES") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var path = context.PathFor(file);
            keys.Add(File.Exists(path) ? File.ReadAllText(path).Trim() : throw new CliConfigurationException($"The retired master key file '{path}' (IRONCAGE_RETIRED_MASTER_KEY_FILES) does not exist."));
        }

        return keys;
    }

    private static void ConfigureStore(IIronCageBuilder ironCage, CliSettings settings, IConfiguration configuration)
    {
        var connection = settings.Connection ?? configuration["IronCage:ConnectionString"] ?? configuration.GetConnectionString("IronCage");
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new CliConfigurationException("No store: give its connection string with --connection (for example --connection \"Data Source=ironcage.db\" for SQLite, or \"Host=db;Database=ironcage;Username=ironcage\" for PostgreSQL), or set IronCage:ConnectionString (IronCage__ConnectionString) or ConnectionStrings:IronCage as the host does.");
        }

        switch (StoreKind(settings.Store ?? configuration["IronCage:Store"], connection))
        {
            case "sqlite":
                ironCage.PersistToSqlite(connection);
                break;
            default:
                ironCage.PersistToPostgreSql(connection);
                break;
        }
    }

    /// <summary>The store kind given, or the one the connection string's keywords point to.</summary>
    internal static string StoreKind(string? given, string connection)
    {
        if (given is not null)
        {
            return given.Trim().ToLowerInvariant() switch
            {
                "sqlite" => "sqlite",
                "postgresql" or "postgres" or "pg" => "postgresql",
                _ => throw new CliConfigurationException($"Unknown store '{given}' (--store or IronCage:Store): use sqlite or postgresql."),
            };
        }

        var keywords = connection.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2)[0].Trim().ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
        if (keywords.Contains("data source") || keywords.Contains("datasource") || keywords.Contains("filename"))
        {
            return "sqlite";
        }

        if (keywords.Contains("host") || keywords.Contains("server") || connection.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            return "postgresql";
        }

        throw new CliConfigurationException("Cannot tell the store from the connection string: SQLite's has 'Data Source=…', PostgreSQL's 'Host=…'. Give --store sqlite or --store postgresql.");
    }
}
