using Npgsql;
using NpgsqlTypes;
using NodaTime;

namespace IronCage.Storage.PostgreSql;

/// <summary>Column conversions shared by the stores.</summary>
internal static class PostgreSqlValues
{
    /// <summary>An instant as bigint unix ticks (100 ns): exact for every instant IronCage stores, and ordered as numbers.</summary>
    public static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    public static Instant Instant(NpgsqlDataReader reader, int ordinal) => NodaTime.Instant.FromUnixTimeTicks(reader.GetInt64(ordinal));

    public static Instant? NullableInstant(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : NodaTime.Instant.FromUnixTimeTicks(reader.GetInt64(ordinal));

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static byte[] Bytes(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);

    /// <summary>Adds a typed parameter, so <see langword="null"/> is sent as a typed NULL.</summary>
    public static void Add(NpgsqlCommand command, string name, NpgsqlDbType type, object? value)
        => command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });

    public static void AddTicks(NpgsqlCommand command, string name, Instant? instant)
        => Add(command, name, NpgsqlDbType.Bigint, instant is { } value ? value.ToUnixTimeTicks() : null);
}
