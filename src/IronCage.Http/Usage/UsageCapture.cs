using IronCage.Http;
using IronCage.Usage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// The end of one successful call: once its body has been read (or abandoned), the usage it reported is recorded and
/// the budget hold settled. Runs once.
/// </summary>
internal sealed class UsageCapture : UsageTotals
{
    // Per call: what differs between calls. What the handler's calls share (recorder, clock, logger) is read through
    // the handler, and a budget's hold only exists for a budgeted call, so an unbudgeted call carries neither.
    private readonly IronCageUsageHandler _handler;
    private readonly ResolvedKey _key;
    private readonly string? _requestModel;
    private readonly Uri? _requestUri;
    private readonly BudgetedCall? _budget;
    private int _completed;

    public UsageCapture(IronCageUsageHandler handler, ResolvedKey key, string? requestModel, Uri? requestUri, BudgetedCall? budget)
        : base(handler.Models)
    {
        _handler = handler;
        _key = key;
        _requestModel = requestModel;
        _requestUri = requestUri;
        _budget = budget;
    }

    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    public void ReadJson(ReadOnlySpan<byte> json)
    {
        try
        {
            Read(json);
        }
        catch (System.Text.Json.JsonException)
        {
            // A body that is not JSON (or a truncated event) has no usage to read; the call still counts.
        }
    }

    public void Complete(bool endOfBody, string? problem)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        if (!Found && endOfBody && problem is not null)
        {
            Log.UsageUnreadable(_handler.Logger, _key.Key, problem);
        }

        _handler.Recorder?.Record(new UsageSample(_key.Key, _handler.Clock.GetCurrentInstant(), Model ?? _requestModel ?? RequestFacts.ModelFromPath(_requestUri), InputTokens, OutputTokens, null, _key.VersionId));
        if (_budget is { } budget)
        {
            // Settling is a store write; the caller's read must not wait for it.
            // Only a body read to its end that reported usage settles at that usage. One disposed before its end
            // (unread, an abandoned stream, a cancelled read) or one that reported none (a stream without
            // include_usage) may have been billed in full: it keeps the worst case it reserved.
            var (input, output) = endOfBody && Found || budget.Reserved is not { } worst
                ? (InputTokens, OutputTokens)
                : (Math.Max(InputTokens, worst.InputTokens), Math.Max(OutputTokens, worst.MaxOutputTokens));
            _ = SettleAsync(budget.Hold, input, output);
        }
    }

    private async Task SettleAsync(BudgetHold hold, long input, long output)
    {
        try
        {
            await hold.SettleAsync(input, output).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.SettleFailed(_handler.Logger, _key.Key, exception);
        }
    }

    /// <summary>The hold of a budgeted call and the worst case it reserved.</summary>
    internal sealed record BudgetedCall(BudgetHold Hold, CostEstimate? Reserved);
}
