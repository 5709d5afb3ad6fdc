using NodaTime;

namespace IronCage.Core.Tests.Model;

public sealed class RotationScheduleTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    [Theory]
    [InlineData("weekly")]
    [InlineData("WEEKLY")]
    [InlineData("  Weekly\t")]
    public void Parse_Weekly_ReturnsWeeklySchedule(string text)
    {
        var schedule = RotationSchedule.Parse(text);

        schedule.Should().BeSameAs(RotationSchedule.Weekly);
        schedule.Period.Should().Be(Period.FromWeeks(1));
        schedule.ToString().Should().Be("weekly");
    }

    [Theory]
    [InlineData("monthly")]
    [InlineData(" MONTHLY ")]
    [InlineData("Monthly")]
    public void Parse_Monthly_ReturnsOneCalendarMonth(string text)
    {
        var schedule = RotationSchedule.Parse(text);

        schedule.Should().BeSameAs(RotationSchedule.Monthly);
        schedule.Period.Should().Be(Period.FromMonths(1));
        schedule.Text.Should().Be("monthly");
    }

    [Theory]
    [InlineData("quarterly")]
    [InlineData("QuarTerly ")]
    public void Parse_Quarterly_ReturnsThreeCalendarMonths(string text)
    {
        var schedule = RotationSchedule.Parse(text);

        schedule.Should().BeSameAs(RotationSchedule.Quarterly);
        schedule.Period.Should().Be(Period.FromMonths(3));
    }

    [Fact]
    public void Parse_P30D_ReturnsThirtyDays()
    {
        var schedule = RotationSchedule.Parse("P30D");

        schedule.Period.Should().Be(Period.FromDays(30));
        schedule.Text.Should().Be("P30D");
    }

    [Fact]
    public void Parse_LowerCaseAndPadded_IsAccepted()
    {
        RotationSchedule.Parse("  p30d ").Period.Should().Be(Period.FromDays(30));
        RotationSchedule.Parse("pt12h").Period.Should().Be(Period.FromHours(12));
    }

    [Fact]
    public void Parse_P2W_ReturnsTwoWeeksWrittenAsDays()
    {
        var schedule = RotationSchedule.Parse("P2W");

        schedule.Period.Should().Be(Period.FromWeeks(2));
        schedule.Text.Should().Be("P14D");
        var last = Instant.FromUtc(2026, 6, 1, 0, 0);
        schedule.NextAfter(last, DateTimeZone.Utc).Should().Be(last + Duration.FromDays(14));
    }

    [Fact]
    public void Parse_P1M15D_ReturnsMonthAndDays()
    {
        var schedule = RotationSchedule.Parse("P1M15D");

        schedule.Period.Months.Should().Be(1);
        schedule.Period.Days.Should().Be(15);
        schedule.Text.Should().Be("P1M15D");
        schedule.NextAfter(Instant.FromUtc(2026, 1, 10, 8, 0), DateTimeZone.Utc).Should().Be(Instant.FromUtc(2026, 2, 25, 8, 0));
    }

    [Fact]
    public void Parse_PT12H_ReturnsTwelveHours()
    {
        var schedule = RotationSchedule.Parse("PT12H");

        schedule.Period.Should().Be(Period.FromHours(12));
        schedule.Text.Should().Be("PT12H");
    }

    [Fact]
    public void Parse_PT1H_ShortestScheduleIsAccepted()
    {
        RotationSchedule.Parse("PT1H").Period.Should().Be(Period.FromHours(1));
    }

    [Theory]
    [InlineData("", "is not a rotation schedule")]
    [InlineData("   ", "is not a rotation schedule")]
    [InlineData("fortnightly", "is not a rotation schedule")]
    [InlineData("P1X", "is not a rotation schedule")]
    [InlineData("30 days", "is not a rotation schedule")]
    [InlineData("P0D", "is zero")]
    [InlineData("PT0S", "is zero")]
    [InlineData("-P1D", "P1D")]
    [InlineData("P-1D", "is negative")]
    [InlineData("P1MT-1H", "is negative")]
    [InlineData("PT30M", "shorter than one hour")]
    [InlineData("PT59M59S", "shorter than one hour")]
    public void Parse_Invalid_ThrowsRotationPolicyExceptionSayingWhatIsAccepted(string text, string problem)
    {
        var act = () => RotationSchedule.Parse(text);

        var message = act.Should().Throw<RotationPolicyException>().Which.Message;
        message.Should().Contain(problem);
        message.Should().Contain($"'{text.Trim()}'", "the message quotes the input");
        message.Should().MatchRegex("'P30D'|'PT1H'", "the message shows an accepted form");
    }

    [Fact]
    public void Parse_UnknownWord_ListsTheAcceptedWords()
    {
        var act = () => RotationSchedule.Parse("fortnightly");

        act.Should().Throw<RotationPolicyException>()
            .WithMessage("*'weekly'*'monthly'*'quarterly'*ISO-8601*");
    }

    [Fact]
    public void Parse_VeryLongGarbage_MessageIsShortened()
    {
        var text = new string('x', 500);

        var act = () => RotationSchedule.Parse(text);

        act.Should().Throw<RotationPolicyException>().Which.Message.Length.Should().BeLessThan(300);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull()
    {
        var act = () => RotationSchedule.Parse(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void TryParse_ValidAndInvalid_ReportsWithoutThrowing()
    {
        RotationSchedule.TryParse("monthly", out var monthly).Should().BeTrue();
        monthly.Should().Be(RotationSchedule.Monthly);

        RotationSchedule.TryParse("PT5M", out var tooShort).Should().BeFalse();
        tooShort.Should().BeNull();

        RotationSchedule.TryParse(null, out var none).Should().BeFalse();
        none.Should().BeNull();
    }

    [Fact]
    public void FromPeriod_OneYear_IsAccepted()
    {
        var schedule = RotationSchedule.FromPeriod(Period.FromYears(1));

        schedule.Period.Should().Be(Period.FromYears(1));
        schedule.Text.Should().Be("P1Y");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData(30)]
    public void FromPeriod_ZeroNegativeOrUnderAnHour_Throws(int minutes)
    {
        var act = () => RotationSchedule.FromPeriod(Period.FromMinutes(minutes));

        act.Should().Throw<RotationPolicyException>();
    }

    [Fact]
    public void Equals_SamePeriod_EqualRegardlessOfSpelling()
    {
        RotationSchedule.Parse("P1M").Should().Be(RotationSchedule.Monthly);
        RotationSchedule.Parse("P1M").GetHashCode().Should().Be(RotationSchedule.Monthly.GetHashCode());
        RotationSchedule.Parse("P3M").Should().Be(RotationSchedule.Quarterly);
        RotationSchedule.Parse("P30D").Should().NotBe(RotationSchedule.Monthly);
        RotationSchedule.Monthly.Equals(null).Should().BeFalse();
    }

    [Fact]
    public void NextAfter_MonthlyFrom31January_Is28FebruaryInCommonYear()
    {
        var next = RotationSchedule.Monthly.NextAfter(Instant.FromUtc(2026, 1, 31, 14, 0), DateTimeZone.Utc);

        next.Should().Be(Instant.FromUtc(2026, 2, 28, 14, 0));
    }

    [Fact]
    public void NextAfter_MonthlyFrom31January_Is29FebruaryInLeapYear()
    {
        var next = RotationSchedule.Monthly.NextAfter(Instant.FromUtc(2028, 1, 31, 14, 0), DateTimeZone.Utc);

        next.Should().Be(Instant.FromUtc(2028, 2, 29, 14, 0));
    }

    [Fact]
    public void NextAfter_MonthlyFrom31March_Is30April()
    {
        RotationSchedule.Monthly.NextAfter(Instant.FromUtc(2026, 3, 31, 0, 0), DateTimeZone.Utc)
            .Should().Be(Instant.FromUtc(2026, 4, 30, 0, 0));
    }

    [Fact]
    public void NextAfter_QuarterlyFrom30November_IsEndOfFebruary()
    {
        RotationSchedule.Quarterly.NextAfter(Instant.FromUtc(2026, 11, 30, 6, 0), DateTimeZone.Utc)
            .Should().Be(Instant.FromUtc(2027, 2, 28, 6, 0));
        RotationSchedule.Quarterly.NextAfter(Instant.FromUtc(2027, 11, 30, 6, 0), DateTimeZone.Utc)
            .Should().Be(Instant.FromUtc(2028, 2, 29, 6, 0));
    }

    [Fact]
    public void NextAfter_OneYearFromLeapDay_Is28February()
    {
        var schedule = RotationSchedule.FromPeriod(Period.FromYears(1));

        schedule.NextAfter(Instant.FromUtc(2028, 2, 29, 12, 0), DateTimeZone.Utc).Should().Be(Instant.FromUtc(2029, 2, 28, 12, 0));
    }

    [Fact]
    public void NextAfter_MonthlyInBerlin_UsesLocalCalendarDate()
    {
        // 31 January 23:30 in Berlin is still 31 January locally but 22:30 UTC; the month is added to the local date.
        var last = Local(Berlin, 2026, 1, 31, 23, 30);

        var next = RotationSchedule.Monthly.NextAfter(last, Berlin);

        next.InZone(Berlin).LocalDateTime.Should().Be(new LocalDateTime(2026, 2, 28, 23, 30));
    }

    [Fact]
    public void NextAfter_WeeklyInUtc_IsExactlySevenDays()
    {
        var last = Instant.FromUtc(2026, 3, 28, 9, 0);

        RotationSchedule.Weekly.NextAfter(last, DateTimeZone.Utc).Should().Be(last + Duration.FromDays(7));
    }

    [Fact]
    public void NextAfter_WeeklyInBerlinAcrossSpringForward_KeepsLocalTimeAndIsOneHourShort()
    {
        // Saturday 28 March 2026 10:00 CET; clocks go forward on Sunday 29 March.
        var last = Local(Berlin, 2026, 3, 28, 10, 0);

        var next = RotationSchedule.Weekly.NextAfter(last, Berlin);

        next.InZone(Berlin).LocalDateTime.Should().Be(new LocalDateTime(2026, 4, 4, 10, 0));
        (next - last).Should().Be(Duration.FromDays(7) - Duration.FromHours(1));
    }

    [Fact]
    public void NextAfter_WeeklyInBerlinAcrossFallBack_KeepsLocalTimeAndIsOneHourLong()
    {
        // Saturday 24 October 2026 10:00 CEST; clocks go back on Sunday 25 October.
        var last = Local(Berlin, 2026, 10, 24, 10, 0);

        var next = RotationSchedule.Weekly.NextAfter(last, Berlin);

        next.InZone(Berlin).LocalDateTime.Should().Be(new LocalDateTime(2026, 10, 31, 10, 0));
        (next - last).Should().Be(Duration.FromDays(7) + Duration.FromHours(1));
    }

    [Fact]
    public void NextAfter_WeeklyInNewYorkAcrossSpringForward_KeepsLocalTimeAndIsOneHourShort()
    {
        // Saturday 7 March 2026 10:00 EST; clocks go forward on Sunday 8 March.
        var last = Local(NewYork, 2026, 3, 7, 10, 0);

        var next = RotationSchedule.Weekly.NextAfter(last, NewYork);

        next.InZone(NewYork).LocalDateTime.Should().Be(new LocalDateTime(2026, 3, 14, 10, 0));
        (next - last).Should().Be(Duration.FromDays(7) - Duration.FromHours(1));
    }

    [Fact]
    public void NextAfter_WeeklyInNewYorkAcrossFallBack_KeepsLocalTimeAndIsOneHourLong()
    {
        // Saturday 31 October 2026 10:00 EDT; clocks go back on Sunday 1 November.
        var last = Local(NewYork, 2026, 10, 31, 10, 0);

        var next = RotationSchedule.Weekly.NextAfter(last, NewYork);

        next.InZone(NewYork).LocalDateTime.Should().Be(new LocalDateTime(2026, 11, 7, 10, 0));
        (next - last).Should().Be(Duration.FromDays(7) + Duration.FromHours(1));
    }

    [Fact]
    public void NextAfter_NullZone_Throws()
    {
        var act = () => RotationSchedule.Weekly.NextAfter(Instant.FromUtc(2026, 1, 1, 0, 0), null!);

        act.Should().Throw<ArgumentNullException>();
    }

    private static Instant Local(DateTimeZone zone, int year, int month, int day, int hour, int minute)
        => new LocalDateTime(year, month, day, hour, minute).InZoneStrictly(zone).ToInstant();
}
