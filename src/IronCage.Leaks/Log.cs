using IronCage.Leaks.Response;
using IronCage.Leaks.Scanning;
using Microsoft.Extensions.Logging;

namespace IronCage.Leaks;

/// <summary>IronCage.Leaks' log messages (event ids 6000–6099). Providers, hints, fingerprints and locations only; never a value.</summary>
internal static partial class Log
{
    // The responder: 6000–6019.
    [LoggerMessage(EventId = 6000, Level = LogLevel.Critical, Message = "Leaked key {Hint} of {Key} ({Classification}) found at {Location} by {Source}: {Outcome}.")]
    public static partial void ManagedKeyLeaked(ILogger logger, string hint, KeyReference key, LeakClassification classification, LeakLocation location, string source, LeakResponseOutcome outcome);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "A {Provider} key IronCage does not manage ({Hint}) was found at {Location} by {Source}.")]
    public static partial void UnmanagedKeyLeaked(ILogger logger, ProviderId provider, string hint, LeakLocation location, string source);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Leak {Fingerprint} ({Hint}) reported again by {Source}; it was already handled.")]
    public static partial void DuplicateLeak(ILogger logger, string fingerprint, string hint, string source);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "The response to the leak of {Key} ({Hint}) failed; the leak stays unhandled and is handled again when reported again.")]
    public static partial void ResponseFailed(ILogger logger, KeyReference key, string hint, Exception exception);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "A rotation of {Key} is already running; the leak of {Hint} is left to it.")]
    public static partial void RotationAlreadyRunning(ILogger logger, KeyReference key, string hint);

    // The egress guard: 6020–6029.
    [LoggerMessage(EventId = 6020, Level = LogLevel.Error, Message = "Refused a request to {Destination}: its body carries the value of managed key {Key} ({Hint}).")]
    public static partial void EgressBlocked(ILogger logger, KeyReference key, string hint, string destination);

    // The GitHub poller: 6030–6039.
    [LoggerMessage(EventId = 6030, Level = LogLevel.Warning, Message = "GitHub's rate limit is used up reading {Path}; the rest is read at the next poll.")]
    public static partial void GitHubRateLimited(ILogger logger, string path);

    [LoggerMessage(EventId = 6031, Level = LogLevel.Error, Message = "Reading GitHub secret scanning alerts failed; the next poll tries again.")]
    public static partial void GitHubPollFailed(ILogger logger, Exception exception);
}
