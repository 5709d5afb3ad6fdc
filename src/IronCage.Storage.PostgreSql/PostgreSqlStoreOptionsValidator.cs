using Microsoft.Extensions.Options;
using Npgsql;

namespace IronCage.Storage.PostgreSql;

/// <summary>Checks <see cref="PostgreSqlStoreOptions"/> at start, so a missing or unusable connection string stops start-up with a message saying how to fix it.</summary>
internal sealed class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The problems with <paramref name="options"/>; empty when they are usable.</summary>
    public static List<string> Check(PostgreSqlStoreOptions options)
    {
        var failures = new List<string>();
        if (options.DataSource is not null)
        {
            if (!string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                failures.Add("PostgreSqlStoreOptions sets both ConnectionString and DataSource. Set one: the data source already carries its connection string.");
            }

            return failures;
        }

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("PostgreSqlStoreOptions.ConnectionString is missing. Pass the database to PersistToPostgreSql, for example PersistToPostgreSql(\"Host=db;Database=ironcage;Username=ironcage;Password=...\"), or pass an NpgsqlDataSource.");
            return failures;
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            // The parser's message may quote the connection string (which can hold a password): only its kind is reported.
            failures.Add($"PostgreSqlStoreOptions.ConnectionString is not a valid Npgsql connection string ({e.GetType().Name}). Write it as \"Host=...;Database=...;Username=...;Password=...\"; keywords are those of Npgsql.");
        }

        return failures;
    }
}
