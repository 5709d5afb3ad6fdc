using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Storage.PostgreSql;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IronCage;

/// <summary>Stores IronCage's keys, audit log, rotation state and usage in a PostgreSQL database shared by any number of instances.</summary>
public static class PostgreSqlIronCageBuilderExtensions
{
    /// <summary>
    /// Persists managed keys (<see cref="IKeyStore"/>), the audit log (<see cref="IAuditLog"/>), rotation operations
    /// and leases (<see cref="IRotationStore"/>) and usage with budget reservations (<see cref="IUsageStore"/>) in the PostgreSQL database that <paramref name="connectionString"/>
    /// names, replacing the in-memory defaults. The schema is migrated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="connectionString">An Npgsql connection string, for example <c>Host=db;Database=ironcage;Username=ironcage;Password=...</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>A missing or malformed connection string stops start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder PersistToPostgreSql(this IIronCageBuilder builder, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.PersistToPostgreSql(o => o.ConnectionString = connectionString);
    }

    /// <summary>
    /// Persists managed keys, the audit log, rotation state and usage in the PostgreSQL database of an
    /// <see cref="NpgsqlDataSource"/> the application built (and disposes), replacing the in-memory defaults.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="dataSource">The data source; IronCage uses it and never disposes it.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder PersistToPostgreSql(this IIronCageBuilder builder, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.PersistToPostgreSql(o => o.DataSource = dataSource);
    }

    /// <summary>
    /// Persists managed keys, the audit log, rotation state and usage in a PostgreSQL database configured in detail
    /// (connection string or data source, whether migrations are applied), replacing the in-memory defaults.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the store.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Registers <see cref="PostgreSqlKeyStore"/>, <see cref="PostgreSqlAuditLog"/>, <see cref="PostgreSqlRotationStore"/>,
    /// <see cref="PostgreSqlUsageStore"/> and <see cref="PostgreSqlKeyChangeFeed"/> as singletons over one shared data source, whether <c>AddRotation()</c>
    /// is called before or after. The options are validated and the schema applied (or checked) when the host starts,
    /// and the change feed started with it; without a host, the schema is applied on first use.
    /// </remarks>
    public static IIronCageBuilder PersistToPostgreSql(this IIronCageBuilder builder, Action<PostgreSqlStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptions<PostgreSqlStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());

        services.TryAddSingleton(sp => new PostgreSqlDatabase(sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>(), sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => NewKeyStore(sp));
        services.TryAddSingleton(sp => new PostgreSqlAuditLog(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.TryAddSingleton(sp => new PostgreSqlRotationStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.TryAddSingleton(sp => new PostgreSqlUsageStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.TryAddSingleton(sp => new PostgreSqlInstanceHeartbeatStore(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.TryAddSingleton(sp => new PostgreSqlKeyChangeFeed(sp.GetRequiredService<PostgreSqlDatabase>(), ownsDatabase: false));
        services.TryAddSingleton<IKeyChangeFeed>(sp => sp.GetRequiredService<PostgreSqlKeyChangeFeed>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IUsageChangeFeed, PostgreSqlKeyChangeFeed>(sp => sp.GetRequiredService<PostgreSqlKeyChangeFeed>()));

        // Fills the store slots: replaces the in-memory defaults of AddIronCage() and AddRotation(), and an AddRotation()
        // called later keeps these (it only adds its in-memory store when none is registered).
        services.Replace(ServiceDescriptor.Singleton<IKeyStore>(sp => sp.GetRequiredService<PostgreSqlKeyStore>()));
        services.Replace(ServiceDescriptor.Singleton<IAuditLog>(sp => sp.GetRequiredService<PostgreSqlAuditLog>()));
        services.Replace(ServiceDescriptor.Singleton<IRotationStore>(sp => sp.GetRequiredService<PostgreSqlRotationStore>()));
        services.Replace(ServiceDescriptor.Singleton<IUsageStore>(sp => sp.GetRequiredService<PostgreSqlUsageStore>()));
        services.Replace(ServiceDescriptor.Singleton<IInstanceHeartbeatStore>(sp => sp.GetRequiredService<PostgreSqlInstanceHeartbeatStore>()));

        // A rotation step (operation, key change, audit records) commits in one transaction when the three stores above
        // are this database's; a store replaced by the host afterwards gets the sequential writer.
        services.Replace(ServiceDescriptor.Singleton<IRotationStepStore>(PostgreSqlRotationStepStore.Create));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlStoreInitializer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlKeyChangeFeedService>());
        return builder;
    }

    private static PostgreSqlKeyStore NewKeyStore(IServiceProvider services)
    {
        var database = services.GetRequiredService<PostgreSqlDatabase>();
        var guard = KeyStateGuard.Create(services, (key, versionId) => Log.KeyStateTampered(database.Logger, key, versionId, database.Name));
        return new PostgreSqlKeyStore(database, ownsDatabase: false, services.GetRequiredService<IOptions<IronCageOptions>>().Value.DefaultExpiryWarningLead, guard);
    }
}
