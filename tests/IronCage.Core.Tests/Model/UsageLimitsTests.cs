namespace IronCage.Core.Tests.Model;

public sealed class UsageLimitsTests
{
    [Fact]
    public void None_HasNoLimitsAndDefaultThresholds()
    {
        UsageLimits.None.Limits.Should().BeEmpty();
        UsageLimits.None.AlertThresholds.Should().Equal(0.8m, 0.95m);
        UsageLimits.None.Invoking(l => l.Validate()).Should().NotThrow();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.5)]
    [InlineData(1.01)]
    [InlineData(80)]
    public void Validate_ThresholdOutsideZeroToOne_Throws(double threshold)
    {
        var limits = new UsageLimits { AlertThresholds = [0.5m, (decimal)threshold] };

        limits.Invoking(l => l.Validate()).Should().Throw<IronCageException>().WithMessage("*threshold*above 0 and at most 1*");
    }

    [Theory]
    [InlineData(0.0001)]
    [InlineData(0.5)]
    [InlineData(1)]
    public void Validate_ThresholdInRange_Passes(double threshold)
    {
        var limits = new UsageLimits { AlertThresholds = [(decimal)threshold] };

        limits.Invoking(l => l.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_DuplicateMetricWindowAndEnforcement_Throws()
    {
        var limits = new UsageLimits
        {
            Limits =
            [
                new UsageLimit(UsageMetric.Tokens, UsageWindow.Day, 1_000_000),
                new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 10_000),
                new UsageLimit(UsageMetric.Tokens, UsageWindow.Day, 2_000_000),
            ],
        };

        limits.Invoking(l => l.Validate()).Should().Throw<IronCageException>().WithMessage("*Hard*Tokens*Day*");
    }

    [Fact]
    public void Validate_SameMetricAndWindowButSoftAndHard_Passes()
    {
        // A soft limit that alerts below a hard one is a normal set-up.
        var limits = new UsageLimits
        {
            Limits =
            [
                new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 80, LimitEnforcement.Soft),
                new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 100, LimitEnforcement.Hard),
            ],
        };

        limits.Invoking(l => l.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_SameMetricDifferentWindows_Passes()
    {
        var limits = new UsageLimits
        {
            Limits =
            [
                new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 60),
                new UsageLimit(UsageMetric.Requests, UsageWindow.Hour, 1_000),
                new UsageLimit(UsageMetric.InputTokens, UsageWindow.Hour, 1_000),
            ],
        };

        limits.Invoking(l => l.Validate()).Should().NotThrow();
    }
}
