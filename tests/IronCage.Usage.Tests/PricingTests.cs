using IronCage.Usage;
using IronCage.Usage.Pricing;
using NodaTime;

namespace IronCage.Usage.Tests;

public sealed class PricingTests
{
    private static readonly KeyReference Key = UsageHarness.OpenAI;
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 10, 12, 0);

    [Theory]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("GPT-4o", "gpt-4o")]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4o-latest", "gpt-4o")]
    public void TryGetPrice_ExactThenDatedSnapshot_FindsTheBaseModel(string model, string expected)
    {
        PriceCatalog.BuiltIn.TryGetPrice(ProviderId.OpenAI, model, Now, out var price).Should().BeTrue();
        price!.Model.Should().Be(expected);
    }

    [Theory]
    [InlineData("anthropic", "claude-sonnet-4-20250514", true)]
    [InlineData("google-gemini", "gemini-2.0-flash-001", true)]
    [InlineData("openai", "gpt-4o-audio-preview", false)]
    [InlineData("openai", "gpt-4", false)]
    [InlineData("anthropic", "gpt-4o", false)]
    [InlineData("openai", "", false)]
    public void TryGetPrice_OnlyDateSuffixesAreStripped(string provider, string model, bool found)
        => PriceCatalog.BuiltIn.TryGetPrice(ProviderId.Parse(provider), model, Now, out _).Should().Be(found);

    [Fact]
    public void With_EntriesWithEffectiveDates_PicksTheEntryInEffectAndOverridesWin()
    {
        var catalog = PriceCatalog.BuiltIn.With(
        [
            new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-4o", InputPerMillion = 2m, OutputPerMillion = 8m, EffectiveFrom = Instant.FromUtc(2026, 1, 1, 0, 0) },
            new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-4o", InputPerMillion = 1m, OutputPerMillion = 4m, EffectiveFrom = Instant.FromUtc(2026, 6, 1, 0, 0) },
            new ModelPrice { Provider = ProviderId.Mistral, Model = "mistral-large", InputPerMillion = 2m, OutputPerMillion = 6m, EffectiveFrom = Instant.FromUtc(2026, 1, 1, 0, 0) },
        ]);

        catalog.Version.Should().Be(PriceCatalog.BuiltInVersion + "+custom");
        Price(catalog, "gpt-4o", Instant.FromUtc(2025, 12, 31, 23, 59)).InputPerMillion.Should().Be(2.50m);
        Price(catalog, "gpt-4o", Instant.FromUtc(2026, 1, 1, 0, 0)).InputPerMillion.Should().Be(2m);
        Price(catalog, "gpt-4o-2024-08-06", Instant.FromUtc(2026, 7, 1, 0, 0)).InputPerMillion.Should().Be(1m);
        catalog.TryGetPrice(ProviderId.Mistral, "mistral-large", Instant.FromUtc(2025, 12, 1, 0, 0), out _).Should().BeFalse("the price is not in effect yet");
    }

    [Fact]
    public void Create_MixedCurrenciesOrNegativePrice_Throws()
    {
        var eur = new ModelPrice { Provider = ProviderId.Mistral, Model = "mistral-large", InputPerMillion = 2m, OutputPerMillion = 6m, Currency = "EUR", EffectiveFrom = Now };
        FluentActions.Invoking(() => PriceCatalog.BuiltIn.With([eur])).Should().Throw<ArgumentException>().WithMessage("*mixes currencies*");
        PriceCatalog.Create("eu", [eur]).Currency.Should().Be("EUR");
        FluentActions.Invoking(() => PriceCatalog.Create("bad", [eur with { InputPerMillion = -1m }])).Should().Throw<ArgumentException>().WithMessage("*negative*");
    }

    [Fact]
    public async Task Block_UnpricedModel_GuardRefusesNamingTheModelAndRecordsUnpriced()
    {
        await using var usage = await UsageHarness.CreateAsync(store: new FlakyUsageStore(), managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 10m))));

        var hold = await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-9-turbo", 100, 100));

        hold.IsAdmitted.Should().BeFalse();
        hold.Denial!.Detail.Should().Contain("'gpt-9-turbo'").And.Contain("UsageTrackingOptions.Prices");
        var record = await RecordAndFlushAsync(usage, "gpt-9-turbo");
        record.CostStatus.Should().Be(UsageCostStatus.Unpriced);
        record.Cost.Should().Be(0m);
    }

    [Fact]
    public async Task UseFallbackRate_UnpricedModel_IsPricedAtTheFallbackRate()
    {
        await using var usage = await UsageHarness.CreateAsync(
            store: new FlakyUsageStore(),
            configure: o =>
            {
                o.UnpricedModelPolicy = UnpricedModelPolicy.UseFallbackRate;
                o.FallbackInputPerMillion = 10m;
                o.FallbackOutputPerMillion = 30m;
            },
            managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 10m))));

        (await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-9-turbo", 100, 100))).IsAdmitted.Should().BeTrue();
        var record = await RecordAndFlushAsync(usage, "gpt-9-turbo");

        record.CostStatus.Should().Be(UsageCostStatus.FallbackRate);
        record.Cost.Should().Be(((1_000 * 10m) + (500 * 30m)) / 1_000_000m);
    }

    [Fact]
    public async Task RecordUnpriced_UnpricedModel_AdmitsRecordsUnpricedWarnsOnceAndCountsItInReports()
    {
        await using var usage = await UsageHarness.CreateAsync(
            store: new FlakyUsageStore(),
            configure: o => o.UnpricedModelPolicy = UnpricedModelPolicy.RecordUnpriced,
            managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 10m))));

        (await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-9-turbo", 100, 100))).IsAdmitted.Should().BeTrue();
        var record = await RecordAndFlushAsync(usage, "gpt-9-turbo");
        usage.Clock.AdvanceMinutes(1);
        await RecordAndFlushAsync(usage, "gpt-9-turbo");

        record.CostStatus.Should().Be(UsageCostStatus.Unpriced);
        usage.Logs.Entries.Where(e => e.EventId.Id == 302).Should().ContainSingle().Which.Message.Should().Contain("gpt-9-turbo");
        var report = await usage.Query.GetReportAsync(Instant.FromUtc(2026, 3, 1, 0, 0), Instant.FromUtc(2026, 4, 1, 0, 0));
        report.TotalUnpricedRequests.Should().Be(2);
        report.TotalCost.Should().Be(0m);
    }

    private static ModelPrice Price(PriceCatalog catalog, string model, Instant at)
        => catalog.TryGetPrice(ProviderId.OpenAI, model, at, out var price) ? price : throw new InvalidOperationException("No price.");

    private static async Task<UsageRecord> RecordAndFlushAsync(UsageHarness usage, string model)
    {
        usage.Record(Key, model, 1_000, 500);
        await usage.Recorder.FlushAsync();
        return ((FlakyUsageStore)usage.Store).Batches[^1].Single(r => r.Model == model);
    }

    [Theory]
    [InlineData(79228162514264337593543950335.0, 0.0)]
    [InlineData(0.0, 1_000_001.0)]
    public void ModelPriceValidate_PriceAboveTheBound_IsRefused(double input, double output)
    {
        var price = new ModelPrice
        {
            Provider = ProviderId.OpenAI,
            Model = "gpt-4o",
            InputPerMillion = input > 1e27 ? decimal.MaxValue : (decimal)input,
            OutputPerMillion = (decimal)output,
            EffectiveFrom = NodaTime.Instant.FromUtc(2020, 1, 1, 0, 0),
        };

        FluentActions.Invoking(price.Validate).Should().Throw<ArgumentException>().WithMessage("*the most allowed is 1000000 per million*");
    }

    [Fact]
    public void ModelPriceCostOf_AtTheBoundWithTheMostTokens_DoesNotOverflow()
    {
        var price = new ModelPrice { Provider = ProviderId.OpenAI, Model = "gpt-4o", InputPerMillion = UsageTrackingConstants.MaxPricePerMillion, OutputPerMillion = UsageTrackingConstants.MaxPricePerMillion, EffectiveFrom = NodaTime.Instant.FromUtc(2020, 1, 1, 0, 0) };
        price.Validate();

        price.CostOf(long.MaxValue, long.MaxValue).Should().Be(2m * long.MaxValue);
    }

    [Fact]
    public void ModelPriceValidate_MegabyteModelName_IsRefusedWithAShortMessage()
    {
        var price = new ModelPrice { Provider = ProviderId.OpenAI, Model = new string('m', 1024 * 1024), InputPerMillion = 1m, OutputPerMillion = 1m, EffectiveFrom = NodaTime.Instant.FromUtc(2020, 1, 1, 0, 0) };

        FluentActions.Invoking(price.Validate).Should().Throw<ArgumentException>().Which.Message.Length.Should().BeLessThan(512);
    }
}
