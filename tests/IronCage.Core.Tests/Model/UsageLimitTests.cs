using System.Globalization;

namespace IronCage.Core.Tests.Model;

public sealed class UsageLimitTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-0.0001)]
    public void Constructor_LimitNotPositive_Throws(double amount)
    {
        var act = () => new UsageLimit(UsageMetric.Tokens, UsageWindow.Day, (decimal)amount);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("limit").WithMessage("*more than zero*");
    }

    [Fact]
    public void Constructor_SmallPositiveLimit_KeepsValues()
    {
        var limit = new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 0.01m, LimitEnforcement.Soft);

        limit.Metric.Should().Be(UsageMetric.Cost);
        limit.Window.Should().Be(UsageWindow.Month);
        limit.Limit.Should().Be(0.01m);
        limit.Enforcement.Should().Be(LimitEnforcement.Soft);
    }

    [Fact]
    public void Constructor_NoEnforcement_DefaultsToHard()
    {
        new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 60).Enforcement.Should().Be(LimitEnforcement.Hard);
    }

    [Fact]
    public void Equals_SameValues_AreEqual()
    {
        new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 60).Should().Be(new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 60));
        new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 60).Should().NotBe(new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 61));
    }

    [Fact]
    public void ToString_UnderCommaCulture_UsesInvariantNumbers()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = comma;

            new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 12.5m).ToString().Should().Be("12.5 Cost per Day (Hard)");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
