using System.Globalization;
using NodaTime;

namespace IronCage.Usage.Pricing;

/// <summary>
/// The price of one model of one provider from an instant on: what a million input (prompt) tokens and a million
/// output (completion) tokens cost. A catalog holds several entries per model; the one in effect at a call's instant
/// prices it.
/// </summary>
public sealed record ModelPrice
{
    /// <summary>Gets the provider.</summary>
    public required ProviderId Provider { get; init; }

    /// <summary>Gets the model name as the provider's API spells it (for example <c>gpt-4o</c>); matched case-insensitively.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the price of one million input tokens.</summary>
    public required decimal InputPerMillion { get; init; }

    /// <summary>Gets the price of one million output tokens.</summary>
    public required decimal OutputPerMillion { get; init; }

    /// <summary>Gets the ISO 4217 currency code of the prices.</summary>
    /// <value>The default value is <c>USD</c>.</value>
    public string Currency { get; init; } = UsageTrackingConstants.DefaultCurrency;

    /// <summary>Gets the first instant the price applies to; it applies until an entry for the same model with a later <see cref="EffectiveFrom"/>.</summary>
    public required Instant EffectiveFrom { get; init; }

    private const int MaxModelLength = 256;

    /// <summary>Prices tokens with this entry.</summary>
    /// <param name="inputTokens">Input tokens.</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <returns>The cost, in <see cref="Currency"/>.</returns>
    public decimal CostOf(long inputTokens, long outputTokens)
        => ((inputTokens * InputPerMillion) + (outputTokens * OutputPerMillion)) / 1_000_000m;

    /// <summary>Checks the entry.</summary>
    /// <exception cref="ArgumentException">The provider or model is empty, the model is longer than 256 characters, a price is negative or above <see cref="UsageTrackingConstants.MaxPricePerMillion"/>, or the currency is not a three-letter code.</exception>
    public void Validate()
    {
        if (Model is { Length: > MaxModelLength })
        {
            throw new ArgumentException($"A price of provider '{Provider}' names a model of {Model.Length} characters; model names are at most {MaxModelLength}.");
        }

        if (Provider.IsEmpty)
        {
            throw new ArgumentException($"The price of model '{Model}' names no provider; set ModelPrice.Provider, for example ProviderId.OpenAI.");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new ArgumentException($"A price of provider '{Provider}' names no model; set ModelPrice.Model, for example 'gpt-4o'.");
        }

        if (InputPerMillion < 0 || OutputPerMillion < 0)
        {
            throw new ArgumentException($"The price of {Provider} model '{Model}' is negative ({InputPerMillion} input, {OutputPerMillion} output per million tokens); prices are zero or more.");
        }

        if (InputPerMillion > UsageTrackingConstants.MaxPricePerMillion || OutputPerMillion > UsageTrackingConstants.MaxPricePerMillion)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The price of {Provider} model '{Model}' is out of range ({InputPerMillion} input, {OutputPerMillion} output per million tokens); the most allowed is {UsageTrackingConstants.MaxPricePerMillion} per million tokens."));
        }

        if (Currency is null || Currency.Length != 3 || !Currency.All(char.IsAsciiLetterUpper))
        {
            throw new ArgumentException($"The price of {Provider} model '{Model}' has currency '{Currency}'; use an upper-case ISO 4217 code such as USD.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Provider}/{Model}: {InputPerMillion} input, {OutputPerMillion} output {Currency} per million tokens from {EffectiveFrom}");
}
