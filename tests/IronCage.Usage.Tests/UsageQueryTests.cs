using System.Text.Json;
using IronCage.Testing;
using IronCage.Usage;
using IronCage.Usage.Pricing;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Usage.Tests;

public sealed class UsageQueryTests
{
    private static readonly KeyReference Key = UsageHarness.OpenAI;

    [Theory]
    [InlineData(UsageWindow.Day, 2026, 3, 10, 6, 0, 4.0)]
    [InlineData(UsageWindow.Day, 2026, 3, 10, 18, 0, 4.0 / 3)]
    [InlineData(UsageWindow.Month, 2026, 2, 8, 0, 0, 4.0)]
    [InlineData(UsageWindow.Month, 2026, 1, 31, 0, 0, 31.0 / 30)]
    [InlineData(UsageWindow.Hour, 2026, 1, 31, 23, 15, 4.0)]
    public async Task GetCostAsync_PartOfThePeriodElapsed_ProjectsLinearly(UsageWindow period, int year, int month, int day, int hour, int minute, double factor)
    {
        var clock = FakeClock.FromUtc(year, month, day, hour, minute, 0);
        await using var usage = await UsageHarness.CreateAsync(clock);
        usage.Record(Key, "gpt-4o", 400_000, 0);

        var cost = await usage.Query.GetCostAsync(Key, period);

        cost.Cost.Should().Be(1m);
        ((double)cost.ProjectedCost).Should().BeApproximately(factor, 1e-9);
        cost.PeriodEnd.Should().Be(period.EndOf(clock.GetCurrentInstant()));
        cost.Currency.Should().Be("USD");
    }

    [Fact]
    public async Task GetCostAsync_AtThePeriodStart_ProjectsTheCostSoFar()
    {
        await using var usage = await UsageHarness.CreateAsync(FakeClock.FromUtc(2026, 3, 1));
        usage.Record(Key, "gpt-4o", 400_000, 0);

        var cost = await usage.Query.GetCostAsync(Key, UsageWindow.Month);

        cost.ProjectedCost.Should().Be(1m);
        cost.ElapsedFraction.Should().Be(0);
    }

    [Fact]
    public async Task GetHistoryAsync_AcrossMinuteHourDayAndMonthEnds_SumsEachWindow()
    {
        var clock = FakeClock.FromUtc(2026, 1, 31, 23, 59, 30);
        await using var usage = await UsageHarness.CreateAsync(clock);
        usage.Record(Key, "gpt-4o", 100, 10, times: 2);
        clock.AdvanceSeconds(31);
        usage.Record(Key, "gpt-4o", 100, 10, times: 3);
        clock.AdvanceMinutes(60);
        usage.Record(Key, "gpt-4o", 100, 10);

        var start = Instant.FromUtc(2026, 1, 1, 0, 0);
        var end = Instant.FromUtc(2026, 3, 1, 0, 0);
        var byMonth = await usage.Query.GetHistoryAsync(Key, UsageWindow.Month, start, end);
        var byDay = await usage.Query.GetHistoryAsync(Key, UsageWindow.Day, start, end);
        var byHour = await usage.Query.GetHistoryAsync(null, UsageWindow.Hour, start, end);
        var byMinute = await usage.Query.GetHistoryAsync(Key, UsageWindow.Minute, start, end);

        byMonth.Select(a => (a.WindowStart, a.Requests)).Should().Equal((start, 2L), (Instant.FromUtc(2026, 2, 1, 0, 0), 4L));
        byDay.Select(a => (a.WindowStart, a.Requests)).Should().Equal((Instant.FromUtc(2026, 1, 31, 0, 0), 2L), (Instant.FromUtc(2026, 2, 1, 0, 0), 4L));
        byHour.Select(a => (a.WindowStart, a.Requests)).Should().Equal((Instant.FromUtc(2026, 1, 31, 23, 0), 2L), (Instant.FromUtc(2026, 2, 1, 0, 0), 3L), (Instant.FromUtc(2026, 2, 1, 1, 0), 1L));
        byMinute.Should().HaveCount(3);
        byMonth[1].Cost.Should().Be(4 * ((100 * 2.50m) + (10 * 10m)) / 1_000_000m);
    }

    [Fact]
    public async Task GetCurrentUsageAsync_WithLimits_ReportsUsageFractionAndReset()
    {
        var clock = FakeClock.FromUtc(2026, 3, 10, 12, 30, 0);
        await using var usage = await UsageHarness.CreateAsync(clock, managed: (Key, UsageHarness.Limits(
            new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 4),
            new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 10m, LimitEnforcement.Soft))));
        usage.Record(Key, "gpt-4o", 400_000, 0);
        usage.Record(Key, "gpt-4o", 0, 0, times: 3, error: ProviderErrorKind.Transient);

        var snapshot = await usage.Query.GetCurrentUsageAsync(Key);

        snapshot.Minute.Requests.Should().Be(4);
        snapshot.Minute.ErrorRate.Should().Be(0.75);
        snapshot.Month.Cost.Should().Be(1m);
        snapshot.Limits.Should().HaveCount(2);
        snapshot.Limits[0].FractionUsed.Should().Be(1.0);
        snapshot.Limits[0].IsBlocking.Should().BeTrue();
        snapshot.Limits[0].ResetsAt.Should().Be(Instant.FromUtc(2026, 3, 10, 12, 31));
        snapshot.Limits[1].Used.Should().Be(1m);
        snapshot.Limits[1].FractionUsed.Should().Be(0.1);
        snapshot.Limits[1].IsBlocking.Should().BeFalse();
        snapshot.Limits[1].ResetsAt.Should().Be(Instant.FromUtc(2026, 4, 1, 0, 0));
    }

    [Fact]
    public async Task ToCsv_ModelNameThatLooksLikeAFormula_IsWrittenAsText()
    {
        await using var usage = await UsageHarness.CreateAsync(FakeClock.FromUtc(2026, 3, 10, 12, 0, 0), configure: o => o.UnpricedModelPolicy = UnpricedModelPolicy.RecordUnpriced);
        usage.Record(Key, "=HYPERLINK(\"http://evil.example\",\"x\")", 10, 5);

        var report = await usage.Query.GetReportAsync(Instant.FromUtc(2026, 3, 1, 0, 0), Instant.FromUtc(2026, 4, 1, 0, 0), byModel: true);

        report.ToCsv().Should().Contain(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",");
        report.Rows.Single().Model.Should().StartWith("=", "only the CSV cell is neutralised");
    }

    [Fact]
    public async Task GetReportAsync_ToJsonAndToCsv_WriteStableNamesInvariantNumbersAndRfc4180Quoting()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            await using var usage = await UsageHarness.CreateAsync(FakeClock.FromUtc(2026, 3, 10, 12, 0, 0), configure: o => o.Prices.Add(new ModelPrice
            {
                Provider = ProviderId.OpenAI,
                Model = "ft:gpt-4o:acme,\"v2\"",
                InputPerMillion = 5m,
                OutputPerMillion = 15m,
                EffectiveFrom = Instant.FromUtc(2026, 1, 1, 0, 0),
            }));
            usage.Record(Key, "gpt-4o", 1_000, 500, times: 3);
            usage.Record(Key, "gpt-4o", 1_000, 0, error: ProviderErrorKind.Transient);
            usage.Record(Key, "ft:gpt-4o:acme,\"v2\"", 2_000, 1_000);

            var report = await usage.Query.GetReportAsync(Instant.FromUtc(2026, 3, 1, 0, 0), Instant.FromUtc(2026, 4, 1, 0, 0), byModel: true);

            var csv = report.ToCsv();
            csv.Should().Be(
                UsageReport.CsvHeader + "\r\n"
                + "openai/prod,2026-03-10T00:00:00Z,\"ft:gpt-4o:acme,\"\"v2\"\"\",1,0,0,2000,1000,3000,0.025,0,USD\r\n"
                + "openai/prod,2026-03-10T00:00:00Z,gpt-4o,4,1,0.25,4000,1500,5500,0.025,0,USD\r\n");

            using var json = JsonDocument.Parse(report.ToJson());
            var root = json.RootElement;
            root.GetProperty("granularity").GetString().Should().Be("day");
            root.GetProperty("currency").GetString().Should().Be("USD");
            root.GetProperty("priceCatalogVersion").GetString().Should().Be(PriceCatalog.BuiltInVersion + "+custom");
            root.GetProperty("from").GetString().Should().Be("2026-03-01T00:00:00Z");
            root.GetProperty("totals").GetProperty("requests").GetInt64().Should().Be(5);
            root.GetProperty("totals").GetProperty("cost").GetDecimal().Should().Be(0.05m);
            var row = root.GetProperty("rows")[1];
            row.EnumerateObject().Select(p => p.Name).Should().Equal(
                "key", "windowStart", "model", "requests", "errors", "errorRate", "inputTokens", "outputTokens", "totalTokens", "cost", "unpricedRequests");
            row.GetProperty("model").GetString().Should().Be("gpt-4o");
            row.GetProperty("errorRate").GetDouble().Should().Be(0.25);
            row.GetProperty("cost").GetRawText().Should().Be("0.025");
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }
}
