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
    private readonly ResolvedKey _key;
    private readonly string? _requestModel;
    private readonly Uri? _requestUri;
    private readonly BudgetHold _hold;
    private readonly CostEstimate? _reserved;
    private readonly IUsageRecorder? _recorder;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private int _completed;

    public UsageCapture(ResolvedKey key, string? requestModel, Uri? requestUri, BudgetHold hold, CostEstimate? reserved, IUsageRecorder? recorder, IClock clock, ILogger logger, ModelNames models)
        : base(models)
    {
        _key = key;
        _requestModel = requestModel;
        _requestUri = requestUri;
        _hold = hold;
        _reserved = reserved;
        _recorder = recorder;
        _clock = clock;
        _logger = logger;
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
            Log.UsageUnreadable(_logger, _key.Key, problem);
        }

        _recorder?.Record(new UsageSample(_key.Key, _clock.GetCurrentInstant(), Model ?? _requestModel ?? RequestFacts.ModelFromPath(_requestUri), InputTokens, OutputTokens, null, _key.VersionId));
        if (!ReferenceEquals(_hold, BudgetHold.Unlimited))
        {
            // Settling is a store write; the caller's read must not wait for it.
            // Only a body read to its end that reported usage settles at that usage. One disposed before its end
            // (unread, an abandoned stream, a cancelled read) or one that reported none (a stream without
            // include_usage) may have been billed in full: it keeps the worst case it reserved.
            var (input, output) = endOfBody && Found || _reserved is not { } worst
                ? (InputTokens, OutputTokens)
                : (Math.Max(InputTokens, worst.InputTokens), Math.Max(OutputTokens, worst.MaxOutputTokens));
            _ = SettleAsync(input, output);
        }
    }

    private async Task SettleAsync(long input, long output)
    {
        try
        {
            await _hold.SettleAsync(input, output).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.SettleFailed(_logger, _key.Key, exception);
        }
    }
}
