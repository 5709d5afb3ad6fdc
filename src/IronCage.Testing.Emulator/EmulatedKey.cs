namespace IronCage.Testing.Emulator;

/// <summary>A key the emulator holds: its provider-side id, its name and its value (a fake, shaped like the provider's keys).</summary>
public sealed class EmulatedKey
{
    /// <summary>Creates the description of a key.</summary>
    /// <param name="id">The provider-side id (<c>key_…</c>, <c>apikey_…</c>, an OpenRouter hash).</param>
    /// <param name="name">The key's name.</param>
    /// <param name="secret">The key's value.</param>
    public EmulatedKey(string id, string name, string secret)
    {
        Id = id;
        Name = name;
        Secret = secret;
    }

    /// <summary>Gets the provider-side id.</summary>
    public string Id { get; }

    /// <summary>Gets the key's name.</summary>
    public string Name { get; }

    /// <summary>Gets the key's value, to register with IronCage or to call the emulator with.</summary>
    public string Secret { get; }

    /// <summary>Gets the value as a <see cref="SecretValue"/> the caller disposes.</summary>
    /// <returns>A new secret.</returns>
    public SecretValue ToSecretValue() => SecretValue.FromString(Secret);

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Name})";
}
