using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace IronCage.Usage.Pricing;

/// <summary>
/// A versioned price catalog: entries per provider and model with effective dates. The entry in effect at a call's
/// instant prices it. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Model names match exactly (ignoring case) first. When no entry matches, one dated-snapshot suffix is removed and the
/// base model is looked up: <c>-YYYY-MM-DD</c> (<c>gpt-4o-2024-08-06</c> → <c>gpt-4o</c>), <c>-YYYYMMDD</c>
/// (<c>claude-sonnet-4-20250514</c> → <c>claude-sonnet-4</c>), a three-digit revision <c>-NNN</c>
/// (<c>gemini-2.0-flash-001</c> → <c>gemini-2.0-flash</c>) or <c>-latest</c>. Nothing else is stripped, so
/// <c>gpt-4o-mini</c> never takes the price of <c>gpt-4o</c>.
/// </para>
/// <para>
/// <see cref="BuiltIn"/> holds a few reference list prices; hosts should add their contract prices with
/// <see cref="With"/> (or <see cref="UsageTrackingOptions.Prices"/>).
/// </para>
/// </remarks>
public sealed class PriceCatalog : IPriceCatalog
{
    /// <summary>The version of <see cref="BuiltIn"/>: the date its reference prices were taken from the providers' public price lists.</summary>
    public const string BuiltInVersion = "2025-06-01";

    private static readonly Instant BuiltInEffectiveFrom = Instant.FromUtc(2000, 1, 1, 0, 0);

    private readonly Dictionary<ProviderId, Dictionary<string, ModelPrice[]>> _index = [];

    private PriceCatalog(string version, IReadOnlyList<ModelPrice> prices)
    {
        Version = version;
        Currency = prices.Count == 0 ? UsageTrackingConstants.DefaultCurrency : prices[0].Currency;
        foreach (var price in prices)
        {
            price.Validate();
            if (!string.Equals(price.Currency, Currency, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Price catalog '{version}' mixes currencies ({Currency} and {price.Currency} for {price.Provider}/{price.Model}); every price of a catalog is in one currency. Without the built-in USD prices (UsageTrackingOptions.UseBuiltInPrices = false) a catalog may use another one.");
            }
        }

        // Later entries (overrides) win over earlier ones with the same provider, model and effective date.
        var ordered = prices.Select((price, order) => (price, order))
            .OrderByDescending(p => p.price.EffectiveFrom)
            .ThenByDescending(p => p.order)
            .Select(p => p.price);
        foreach (var group in ordered.GroupBy(p => (p.Provider, Model: p.Model.ToUpperInvariant())))
        {
            if (!_index.TryGetValue(group.Key.Provider, out var models))
            {
                models = new Dictionary<string, ModelPrice[]>(StringComparer.OrdinalIgnoreCase);
                _index[group.Key.Provider] = models;
            }

            models[group.First().Model] = [.. group.DistinctBy(p => p.EffectiveFrom)];
        }

        Prices = [.. _index.Values.SelectMany(m => m.Values).SelectMany(v => v)
            .OrderBy(p => p.Provider.ToString(), StringComparer.Ordinal)
            .ThenBy(p => p.Model, StringComparer.OrdinalIgnoreCase)
            .ThenBy(p => p.EffectiveFrom)];
    }

    /// <summary>
    /// Gets a small catalog of reference list prices (USD per million tokens, standard tier, no batch or cache discounts)
    /// as published by the providers on <see cref="BuiltInVersion"/>: OpenAI <c>gpt-4o</c>, <c>gpt-4o-mini</c>,
    /// <c>gpt-4.1</c>, <c>gpt-4.1-mini</c>; Anthropic <c>claude-opus-4</c>, <c>claude-sonnet-4</c>, <c>claude-3-5-haiku</c>;
    /// Google <c>gemini-2.5-pro</c> (prompts up to 200k tokens), <c>gemini-2.0-flash</c>. They are a starting point, not a
    /// source of truth: override them with your contract prices.
    /// </summary>
    public static PriceCatalog BuiltIn { get; } = new(BuiltInVersion,
    [
        BuiltInPrice(ProviderId.OpenAI, "gpt-4o", 2.50m, 10.00m),
        BuiltInPrice(ProviderId.OpenAI, "gpt-4o-mini", 0.15m, 0.60m),
        BuiltInPrice(ProviderId.OpenAI, "gpt-4.1", 2.00m, 8.00m),
        BuiltInPrice(ProviderId.OpenAI, "gpt-4.1-mini", 0.40m, 1.60m),
        BuiltInPrice(ProviderId.Anthropic, "claude-opus-4", 15.00m, 75.00m),
        BuiltInPrice(ProviderId.Anthropic, "claude-sonnet-4", 3.00m, 15.00m),
        BuiltInPrice(ProviderId.Anthropic, "claude-3-5-haiku", 0.80m, 4.00m),
        BuiltInPrice(ProviderId.GoogleGemini, "gemini-2.5-pro", 1.25m, 10.00m),
        BuiltInPrice(ProviderId.GoogleGemini, "gemini-2.0-flash", 0.10m, 0.40m),
    ]);

    /// <summary>Gets an empty catalog (every model unpriced).</summary>
    public static PriceCatalog Empty { get; } = new("empty", []);

    /// <inheritdoc />
    public string Version { get; }

    /// <inheritdoc />
    public string Currency { get; }

    /// <inheritdoc />
    public IReadOnlyList<ModelPrice> Prices { get; }

    /// <summary>Creates a catalog from entries.</summary>
    /// <param name="version">The catalog's version.</param>
    /// <param name="prices">The entries; for the same provider, model and effective date, a later entry wins.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="ArgumentException">An entry is not valid, or the entries mix currencies.</exception>
    public static PriceCatalog Create(string version, IEnumerable<ModelPrice> prices)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentNullException.ThrowIfNull(prices);
        return new PriceCatalog(version, [.. prices]);
    }

    /// <summary>Returns a catalog with more entries: a new model, or a new price of a known model from its effective date.</summary>
    /// <param name="prices">The entries to add; they win over this catalog's entries of the same model and effective date.</param>
    /// <param name="version">The new catalog's version; by default this catalog's version followed by <c>+custom</c>.</param>
    /// <returns>The new catalog, or this one when <paramref name="prices"/> is empty.</returns>
    /// <exception cref="ArgumentException">An entry is not valid, or the entries mix currencies.</exception>
    public PriceCatalog With(IEnumerable<ModelPrice> prices, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var added = prices.ToList();
        return added.Count == 0 && version is null ? this : new PriceCatalog(version ?? Version + "+custom", [.. Prices, .. added]);
    }

    /// <inheritdoc />
    public bool TryGetPrice(ProviderId provider, string? model, Instant at, [NotNullWhen(true)] out ModelPrice? price)
    {
        price = null;
        if (string.IsNullOrEmpty(model) || !_index.TryGetValue(provider, out var models))
        {
            return false;
        }

        if (models.TryGetValue(model, out var entries) || (BaseModel(model) is { } baseModel && models.TryGetValue(baseModel, out entries)))
        {
            foreach (var entry in entries)
            {
                if (entry.EffectiveFrom <= at)
                {
                    price = entry;
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Removes one dated-snapshot suffix (see the remarks of <see cref="PriceCatalog"/>).</summary>
    internal static string? BaseModel(string model)
    {
        var dash = model.LastIndexOf('-');
        if (dash <= 0)
        {
            return null;
        }

        var suffix = model.AsSpan(dash + 1);
        if (suffix.Equals("latest", StringComparison.OrdinalIgnoreCase) || (suffix.Length is 8 or 3 && IsDigits(suffix)))
        {
            return model[..dash];
        }

        // -YYYY-MM-DD: three dash-separated groups of 4, 2 and 2 digits.
        if (suffix.Length == 2 && IsDigits(suffix) && model.Length > 11)
        {
            var date = model.AsSpan(model.Length - 11);
            if (date[0] == '-' && date[5] == '-' && date[8] == '-' && IsDigits(date.Slice(1, 4)) && IsDigits(date.Slice(6, 2)))
            {
                return model[..^11];
            }
        }

        return null;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static ModelPrice BuiltInPrice(ProviderId provider, string model, decimal input, decimal output) => new()
    {
        Provider = provider,
        Model = model,
        InputPerMillion = input,
        OutputPerMillion = output,
        EffectiveFrom = BuiltInEffectiveFrom,
    };
}
