using Microsoft.Data.Sqlite;
using NodaTime;

namespace IronCage.Storage.Sqlite;

/// <summary>Column conversions shared by the stores.</summary>
internal static class SqliteValues
{
    /// <summary>An instant as INTEGER unix ticks (100 ns): exact for every instant IronCage stores, and ordered as numbers.</summary>
    public static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    public static object Ticks(Instant? instant) => instant is { } value ? value.ToUnixTimeTicks() : DBNull.Value;

    public static object OrNull(string? value) => value is null ? DBNull.Value : value;

    /// <summary>Adds a parameter whose value a reused command sets on every row.</summary>
    public static SqliteParameter Parameter(SqliteCommand command, string name, SqliteType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.SqliteType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
