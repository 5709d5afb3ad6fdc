using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace IronCage.Storage.Sqlite;

/// <summary>Checks <see cref="SqliteStoreOptions"/> at start, so a missing or unusable connection string stops start-up with a message saying how to fix it.</summary>
internal sealed class SqliteStoreOptionsValidator : IValidateOptions<SqliteStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The problems with <paramref name="options"/>; empty when they are usable.</summary>
    public static List<string> Check(SqliteStoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("SqliteStoreOptions.ConnectionString is missing. Pass the database file to PersistToSqlite, for example PersistToSqlite(\"Data Source=ironcage.db\").");
        }
        else
        {
            SqliteConnectionStringBuilder? builder = null;
            try
            {
                builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                // The parser's message may quote the connection string (which can hold a password): only its kind is reported.
                failures.Add($"SqliteStoreOptions.ConnectionString is not a valid SQLite connection string ({e.GetType().Name}). Write it as \"Data Source=path/to/ironcage.db\"; keywords are those of Microsoft.Data.Sqlite.");
            }

            if (builder is not null)
            {
                if (string.IsNullOrWhiteSpace(builder.DataSource))
                {
                    failures.Add("SqliteStoreOptions.ConnectionString names no database file. Add \"Data Source=path/to/ironcage.db\".");
                }
                else if (builder.Mode == SqliteOpenMode.Memory || string.Equals(builder.DataSource.Trim(), ":memory:", StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add("SqliteStoreOptions.ConnectionString names an in-memory database, which would be lost between operations. Use a file (\"Data Source=ironcage.db\"); for tests, use a file in a temporary folder or the in-memory stores.");
                }
                else if (builder.Mode == SqliteOpenMode.ReadOnly)
                {
                    failures.Add("SqliteStoreOptions.ConnectionString opens the database read-only (Mode=ReadOnly), but the store writes. Remove the Mode keyword.");
                }
            }
        }

        if (options.BusyTimeout <= TimeSpan.Zero || options.BusyTimeout > SqliteConstants.MaxBusyTimeout)
        {
            failures.Add($"SqliteStoreOptions.BusyTimeout is {options.BusyTimeout}; use more than zero and at most {SqliteConstants.MaxBusyTimeout} (default {SqliteConstants.DefaultBusyTimeout}).");
        }

        return failures;
    }
}
