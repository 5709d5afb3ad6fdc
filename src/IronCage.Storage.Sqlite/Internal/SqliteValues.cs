using Microsoft.Data.Sqlite;
using NodaTime;

namespace IronCage.Storage.Sqlite;

/// <summary>Column conversions shared by the stores.</summary>
internal static class SqliteValues
{
    /// <summary>An instant as INTEGER unix ticks (100 ns): exact for every instant IronCage stores, and ordered as numbers.</summary>
    public static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    public static object Ticks(Instant? instant) => instant is { } value ? value.ToUnixTimeTicks() : DBNull.Value;

    public static Instant Instant(SqliteDataReader reader, int ordinal) => NodaTime.Instant.FromUnixTimeTicks(reader.GetInt64(ordinal));

    public static Instant? NullableInstant(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : NodaTime.Instant.FromUnixTimeTicks(reader.GetInt64(ordinal));

    public static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static object OrNull(string? value) => value is null ? DBNull.Value : value;

    /// <summary>A BLOB column's bytes, read in one piece.</summary>
    public static byte[] Bytes(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? [] : (byte[])reader.GetValue(ordinal);

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
