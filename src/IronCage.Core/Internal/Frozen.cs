using System.Collections.Frozen;
using System.Collections.ObjectModel;

namespace IronCage.Internal;

/// <summary>
/// Copies collections handed to IronCage's immutable types, so a caller who keeps (and later changes) the list or
/// dictionary it passed in cannot change the object, and a consumer cannot cast the property back to a mutable type.
/// </summary>
internal static class Frozen
{
    public static IReadOnlyList<T> List<T>(IEnumerable<T>? items)
        => items is null ? [] : items as ReadOnlyCollection<T> ?? new ReadOnlyCollection<T>([.. items]);

    public static IReadOnlyDictionary<string, string> Map(IReadOnlyDictionary<string, string>? items)
        => items is null ? FrozenDictionary<string, string>.Empty : items as FrozenDictionary<string, string> ?? items.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyDictionary<TKey, TValue> Map<TKey, TValue>(IReadOnlyDictionary<TKey, TValue>? items)
        where TKey : notnull
        => items is null ? FrozenDictionary<TKey, TValue>.Empty : items as FrozenDictionary<TKey, TValue> ?? items.ToFrozenDictionary();
}
