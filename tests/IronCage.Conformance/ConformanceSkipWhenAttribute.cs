using System.Reflection;

namespace IronCage.Conformance;

/// <summary>
/// Put on a concrete conformance test class whose store needs something that may be missing (a database server):
/// names a public static string property that returns why its tests cannot run, or <see langword="null"/> when they can.
/// The class's conformance tests are then reported skipped with that reason instead of failing.
/// </summary>
/// <param name="type">The type that holds the property.</param>
/// <param name="property">The public static property's name.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class ConformanceSkipWhenAttribute(Type type, string property) : Attribute
{
    /// <summary>Gets the type that holds the property.</summary>
    public Type Type { get; } = type;

    /// <summary>Gets the property's name.</summary>
    public string Property { get; } = property;

    /// <summary>Reads the reason to skip, if any.</summary>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? Reason()
        => (Type.GetProperty(Property, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException($"{Type} has no public static property {Property}."))
            .GetValue(null) as string;
}
