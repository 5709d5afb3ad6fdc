using Npgsql;
using NpgsqlTypes;
using NodaTime;

namespace IronCage.Storage.PostgreSql;

/// <summary>Column conversions shared by the stores.</summary>
internal static class PostgreSqlValues
{
    /// <summary>An instant as bigint unix ticks (100 ns): exact for every instant IronCage stores, and ordered as numbers.</summary>
    public static long Ticks(Instant instant) => instant.ToUnixTimeTicks();

    /// <summary>Adds a typed parameter, so <see langword="null"/> is sent as a typed NULL.</summary>
    public static void Add(NpgsqlCommand command, string name, NpgsqlDbType type, object? value)
        => command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });

    public static void AddTicks(NpgsqlCommand command, string name, Instant? instant)
        => Add(command, name, NpgsqlDbType.Bigint, instant is { } value ? value.ToUnixTimeTicks() : null);
}
