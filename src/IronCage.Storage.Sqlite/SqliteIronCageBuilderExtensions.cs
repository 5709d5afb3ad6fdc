using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Storage.Sqlite;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage;

/// <summary>Stores IronCage's keys, audit log, rotation state and usage in a SQLite database file.</summary>
public static class SqliteIronCageBuilderExtensions
{
    /// <summary>
    /// Persists managed keys (<see cref="IKeyStore"/>), the audit log (<see cref="IAuditLog"/>), rotation operations
    /// and leases (<see cref="IRotationStore"/>) and usage with budget reservations (<see cref="IUsageStore"/>) in the SQLite database file that <paramref name="connectionString"/>
    /// names, replacing the in-memory defaults. The schema is migrated when the host starts.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, for example <c>Data Source=ironcage.db</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>A missing, malformed or in-memory connection string stops start-up with an <see cref="OptionsValidationException"/>.</remarks>
    public static IIronCageBuilder PersistToSqlite(this IIronCageBuilder builder, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.PersistToSqlite(o => o.ConnectionString = connectionString);
    }

    /// <summary>
    /// Persists managed keys, the audit log, rotation state and usage in a SQLite database file configured in detail
    /// (connection string, whether migrations are applied, busy timeout), replacing the in-memory defaults.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Configures the store.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Registers <see cref="SqliteKeyStore"/>, <see cref="SqliteAuditLog"/>, <see cref="SqliteRotationStore"/> and <see cref="SqliteUsageStore"/> as
    /// singletons over one shared database, whether <c>AddRotation()</c> is called before or after. The options are
    /// validated and the schema applied (or checked) when the host starts; without a host, on first use.
    /// </remarks>
    public static IIronCageBuilder PersistToSqlite(this IIronCageBuilder builder, Action<SqliteStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);
        services.AddOptions<SqliteStoreOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStoreOptions>, SqliteStoreOptionsValidator>());

        services.TryAddSingleton(sp => new SqliteDatabase(sp.GetRequiredService<IOptions<SqliteStoreOptions>>(), sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => NewKeyStore(sp));
        services.TryAddSingleton(sp => new SqliteAuditLog(sp.GetRequiredService<SqliteDatabase>(), ownsDatabase: false));
        services.TryAddSingleton(sp => new SqliteRotationStore(sp.GetRequiredService<SqliteDatabase>(), ownsDatabase: false));
        services.TryAddSingleton(sp => new SqliteUsageStore(sp.GetRequiredService<SqliteDatabase>(), ownsDatabase: false));
        services.TryAddSingleton(sp => new SqliteInstanceHeartbeatStore(sp.GetRequiredService<SqliteDatabase>(), ownsDatabase: false));

        // Fills the store slots: replaces the in-memory defaults of AddIronCage() and AddRotation(), and an AddRotation()
        // called later keeps these (it only adds its in-memory store when none is registered).
        services.Replace(ServiceDescriptor.Singleton<IKeyStore>(sp => sp.GetRequiredService<SqliteKeyStore>()));
        services.Replace(ServiceDescriptor.Singleton<IAuditLog>(sp => sp.GetRequiredService<SqliteAuditLog>()));
        services.Replace(ServiceDescriptor.Singleton<IRotationStore>(sp => sp.GetRequiredService<SqliteRotationStore>()));
        services.Replace(ServiceDescriptor.Singleton<IUsageStore>(sp => sp.GetRequiredService<SqliteUsageStore>()));
        services.Replace(ServiceDescriptor.Singleton<IInstanceHeartbeatStore>(sp => sp.GetRequiredService<SqliteInstanceHeartbeatStore>()));

        // A rotation step (operation, key change, audit records) commits in one transaction when the three stores above
        // are this file's; a store replaced by the host afterwards gets the sequential writer.
        services.Replace(ServiceDescriptor.Singleton<IRotationStepStore>(SqliteRotationStepStore.Create));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqliteStoreInitializer>());
        return builder;
    }

    private static SqliteKeyStore NewKeyStore(IServiceProvider services)
    {
        var database = services.GetRequiredService<SqliteDatabase>();
        var guard = KeyStateGuard.Create(services, (key, versionId) => Log.KeyStateTampered(database.Logger, key, versionId, database.DataSource));
        return new SqliteKeyStore(database, ownsDatabase: false, services.GetRequiredService<IOptions<IronCageOptions>>().Value.DefaultExpiryWarningLead, guard);
    }
}
