using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace IronCage.AspNetCore.Internal;

/// <summary>The admin API's JSON: camelCase, enums as camelCase strings, NodaTime types in their ISO patterns (as the CLI writes them), nulls left out. Its own options, so the host's JSON settings stay the host's.</summary>
internal static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
}
