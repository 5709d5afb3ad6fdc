using System.Text.Json;
using System.Text.Json.Serialization;

namespace IronCage;

/// <summary>
/// Writes a <see cref="SecretValue"/> as its masked form and refuses to read one: a secret never travels
/// through JSON serialization by accident.
/// </summary>
public sealed class SecretValueJsonConverter : JsonConverter<SecretValue>
{
    /// <summary>Always throws: secrets are not read from JSON.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="typeToConvert">The type.</param>
    /// <param name="options">The options.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="JsonException">Always.</exception>
    public override SecretValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new JsonException("A SecretValue is never read from JSON. Read the value as a string and wrap it with SecretValue.FromString.");

    /// <summary>Writes the masked form (see <see cref="SecretValue.ToString()"/>).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The secret.</param>
    /// <param name="options">The options.</param>
    public override void Write(Utf8JsonWriter writer, SecretValue value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
