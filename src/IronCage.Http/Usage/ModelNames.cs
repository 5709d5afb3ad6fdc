using System.Text.Json;
using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// The model names a handler has seen, so reading the same model from every response does not allocate a new string
/// each time. Small and bounded: a client talks to a handful of models.
/// </summary>
internal sealed class ModelNames
{
    private const int Capacity = 16;
    private volatile Entry[] _entries = [];

    public string? Get(ref Utf8JsonReader reader)
    {
        foreach (var entry in _entries)
        {
            if (reader.ValueTextEquals(entry.Utf8))
            {
                return entry.Name;
            }
        }

        var name = reader.GetString();
        if (name is not null && _entries.Length < Capacity)
        {
            // Copy-on-write: readers never lock; a lost race only costs one extra string.
            _entries = [.. _entries, new Entry(name, System.Text.Encoding.UTF8.GetBytes(name))];
        }

        return name;
    }

    private sealed record Entry(string Name, byte[] Utf8);
}
