namespace IronCage.Providers.AzureOpenAI;

/// <summary>Both slot values of an account, as listKeys answers. Disposing zeroes both.</summary>
internal sealed class AzureAccountKeys(SecretValue key1, SecretValue key2) : IDisposable
{
    public SecretValue Key1 { get; } = key1;

    public SecretValue Key2 { get; } = key2;

    /// <summary>Gets the value of one slot.</summary>
    public SecretValue Slot(string slot) => string.Equals(slot, AzureOpenAIConstants.Key1, StringComparison.OrdinalIgnoreCase) ? Key1 : Key2;

    public void Dispose()
    {
        Key1.Dispose();
        Key2.Dispose();
    }
}
