namespace IronCage.Providers.AzureOpenAI;

/// <summary>The Cognitive Services account a managed key belongs to.</summary>
internal sealed record AzureAccount(string SubscriptionId, string ResourceGroup, string AccountName)
{
    public string Path => $"subscriptions/{Uri.EscapeDataString(SubscriptionId)}/resourceGroups/{Uri.EscapeDataString(ResourceGroup)}/providers/Microsoft.CognitiveServices/accounts/{Uri.EscapeDataString(AccountName)}";

    public override string ToString() => $"{ResourceGroup}/{AccountName}";
}
