using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// Usage as stored: the calls of one managed key, key version and model within one minute, summed, with their cost.
/// The recorder batches samples into records; a store appends them and aggregates them into windows.
/// </summary>
public sealed record UsageRecord
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the start of the minute (UTC) the calls fell in.</summary>
    public required Instant Minute { get; init; }

    /// <summary>Gets the key version that served the calls, when known.</summary>
    public string? VersionId { get; init; }

    /// <summary>Gets the model the calls named, when known.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the number of calls.</summary>
    public long Requests { get; init; }

    /// <summary>Gets how many of the calls failed.</summary>
    public long Errors { get; init; }

    /// <summary>Gets the input tokens of the calls.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the output tokens of the calls.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cost of the calls in the price catalog's currency; 0 when <see cref="CostStatus"/> is <see cref="UsageCostStatus.Unpriced"/>.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets how the cost was found.</summary>
    public UsageCostStatus CostStatus { get; init; }

    /// <summary>Checks what every usage store requires before it appends the record.</summary>
    /// <exception cref="ArgumentException">A count or the cost is negative, or the version id or model is longer than 256 characters or contains a control character.</exception>
    public void Validate()
    {
        if (Requests < 0 || Errors < 0 || InputTokens < 0 || OutputTokens < 0 || Cost < 0)
        {
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"A usage record of {Key} has a negative count or cost ({Requests} requests, {Errors} errors, {InputTokens} input and {OutputTokens} output tokens, cost {Cost}); usage is zero or more. Nothing of the batch was stored."));
        }

        if (Bad(VersionId) || Bad(Model))
        {
            throw new ArgumentException($"A usage record of {Key} has a version id or model longer than {MaxTextLength} characters or with a control character. Nothing of the batch was stored.");
        }
    }

    private const int MaxTextLength = 256;

    /// <summary>Tells whether a version id or model can be stored: at most 256 characters, no control character.</summary>
    internal static bool IsStorable(string? text) => !Bad(text);

    private static bool Bad(string? text) => text is not null && (text.Length > MaxTextLength || text.Any(char.IsControl));
}
