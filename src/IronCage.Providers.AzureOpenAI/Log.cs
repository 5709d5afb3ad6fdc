using Microsoft.Extensions.Logging;

namespace IronCage.Providers.AzureOpenAI;

/// <summary>IronCage.Providers.AzureOpenAI's log messages (event ids 4400–4499). Slots, accounts and hints only, never key values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4400, Level = LogLevel.Information, Message = "Regenerated slot {Slot} of Azure OpenAI account {Account} for {Key}; new value {DisplayHint}.")]
    public static partial void SlotRegenerated(ILogger logger, string slot, AzureAccount account, KeyReference key, string displayHint);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Debug, Message = "regenerateKey of slot {Slot} on Azure OpenAI account {Account} was accepted (202); polling {OperationPath}.")]
    public static partial void RegenerationAccepted(ILogger logger, AzureAccount account, string slot, Uri operationPath);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Debug, Message = "regenerateKey of slot {Slot} on Azure OpenAI account {Account} is {Status}.")]
    public static partial void OperationPolled(ILogger logger, AzureAccount account, string slot, string? status);
}
