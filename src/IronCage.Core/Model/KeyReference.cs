using System.Diagnostics.CodeAnalysis;

namespace IronCage;

/// <summary>
/// Addresses a managed key as <c>provider/name</c> (for example <c>openai/prod</c>).
/// </summary>
/// <remarks>
/// The name is 1 to 128 characters of letters, digits, <c>-</c>, <c>_</c> and <c>.</c>; it is case-sensitive.
/// The provider part follows <see cref="ProviderId"/> rules.
/// </remarks>
public readonly struct KeyReference : IEquatable<KeyReference>
{
    private const int MaxNameLength = 128;
    private readonly string? _name;

    /// <summary>Creates a reference.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="name">The key's name, unique per provider.</param>
    /// <exception cref="ArgumentException">The provider is empty or the name is not valid.</exception>
    public KeyReference(ProviderId provider, string name)
    {
        if (provider.IsEmpty)
        {
            throw new ArgumentException("A key reference needs a provider, for example 'openai/prod'.", nameof(provider));
        }

        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name, out var problem))
        {
            throw new ArgumentException($"'{TextBounds.Echo(name)}' is not a valid managed key name: {problem} Use letters, digits, '-', '_' and '.', for example 'prod' or 'eu-batch'.", nameof(name));
        }

        Provider = provider;
        _name = name;
    }

    /// <summary>Gets the provider.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets the key's name, unique per provider.</summary>
    public string Name => _name ?? string.Empty;

    /// <summary>Parses <c>provider/name</c>.</summary>
    /// <param name="value">The text, for example <c>openai/prod</c>.</param>
    /// <returns>The reference.</returns>
    /// <exception cref="FormatException">The text is not of the form <c>provider/name</c>.</exception>
    public static KeyReference Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (TryParse(value, out var reference))
        {
            return reference;
        }

        throw new FormatException($"'{TextBounds.Echo(value)}' is not a managed key reference. Write it as 'provider/name', for example 'openai/prod'.");
    }

    /// <summary>Tries to parse <c>provider/name</c>.</summary>
    /// <param name="value">The text.</param>
    /// <param name="reference">The reference when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when the text is a valid reference.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out KeyReference reference)
    {
        reference = default;
        if (value is null)
        {
            return false;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            return false;
        }

        var name = value[(slash + 1)..];
        if (!ProviderId.TryParse(value[..slash], out var provider) || !IsValidName(name, out _))
        {
            return false;
        }

        reference = new KeyReference(provider, name);
        return true;
    }

    /// <summary>Compares two references.</summary>
    /// <param name="left">The first reference.</param>
    /// <param name="right">The second reference.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(KeyReference left, KeyReference right) => left.Equals(right);

    /// <summary>Compares two references.</summary>
    /// <param name="left">The first reference.</param>
    /// <param name="right">The second reference.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(KeyReference left, KeyReference right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(KeyReference other) => Provider == other.Provider && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is KeyReference other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Provider, StringComparer.Ordinal.GetHashCode(Name));

    /// <summary>Returns <c>provider/name</c>.</summary>
    /// <returns>The reference's text form.</returns>
    public override string ToString() => Provider.IsEmpty ? string.Empty : $"{Provider}/{Name}";

    private static bool IsValidName(string name, out string problem)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            problem = $"it must be 1 to {MaxNameLength} characters long.";
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                problem = "it contains a character other than letters, digits, '-', '_' and '.'.";
                return false;
            }
        }

        problem = string.Empty;
        return true;
    }
}
