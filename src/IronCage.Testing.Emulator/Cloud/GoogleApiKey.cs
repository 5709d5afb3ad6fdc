namespace IronCage.Testing.Emulator;

/// <summary>One API key as the <see cref="GoogleApiKeysEmulator"/> holds it, at the moment it was read.</summary>
public sealed class GoogleApiKey
{
    internal GoogleApiKey(string name, string? displayName, string keyString, DateTimeOffset createTime, DateTimeOffset? deleteTime, string restrictions, IReadOnlyDictionary<string, string> annotations)
    {
        Name = name;
        DisplayName = displayName;
        KeyString = keyString;
        CreateTime = createTime;
        DeleteTime = deleteTime;
        Restrictions = restrictions;
        Annotations = annotations;
    }

    /// <summary>Gets the key's resource name, <c>projects/{number}/locations/global/keys/{keyId}</c>.</summary>
    public string Name { get; }

    /// <summary>Gets the key id, the last segment of <see cref="Name"/>.</summary>
    public string KeyId => Name[(Name.LastIndexOf('/') + 1)..];

    /// <summary>Gets the key's display name, if it has one.</summary>
    public string? DisplayName { get; }

    /// <summary>Gets the key string, to register with IronCage or to call Gemini with.</summary>
    public string KeyString { get; }

    /// <summary>Gets when the key was created.</summary>
    public DateTimeOffset CreateTime { get; }

    /// <summary>Gets when the key was soft-deleted, or <see langword="null"/> while it is live.</summary>
    public DateTimeOffset? DeleteTime { get; }

    /// <summary>Gets the key's <c>restrictions</c> object as JSON (<c>{}</c> when unrestricted).</summary>
    public string Restrictions { get; }

    /// <summary>Gets the key's string annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; }

    /// <summary>Gets the key string as a <see cref="SecretValue"/> the caller disposes.</summary>
    /// <returns>A new secret.</returns>
    public SecretValue ToSecretValue() => SecretValue.FromString(KeyString);

    /// <inheritdoc />
    public override string ToString() => DeleteTime is null ? KeyId : $"{KeyId} (deleted)";
}
