namespace IronCage.Testing.Emulator;

/// <summary>One regeneration of an account's key slot by the <see cref="AzureCognitiveServicesEmulator"/>: the slot and the value it got.</summary>
public sealed class AzureKeyRegeneration
{
    internal AzureKeyRegeneration(string accountName, string slot, string value)
    {
        AccountName = accountName;
        Slot = slot;
        Value = value;
    }

    /// <summary>Gets the account's name.</summary>
    public string AccountName { get; }

    /// <summary>Gets the slot, <c>Key1</c> or <c>Key2</c>.</summary>
    public string Slot { get; }

    /// <summary>Gets the value the slot got.</summary>
    public string Value { get; }

    /// <inheritdoc />
    public override string ToString() => $"{AccountName} {Slot}";
}
