using NodaTime;

namespace IronCage.Core.Tests.Model;

public sealed class MaintenanceWindowTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];

    // Monday 02:00 to 04:00 Berlin time, in June (no DST change nearby).
    private static readonly MaintenanceWindow MondayNight = new([IsoDayOfWeek.Monday], new LocalTime(2, 0), Duration.FromHours(2), Berlin);

    // Saturday 23:00 for three hours: crosses midnight into Sunday.
    private static readonly MaintenanceWindow SaturdayLate = new([IsoDayOfWeek.Saturday], new LocalTime(23, 0), Duration.FromHours(3), Berlin);

    [Theory]
    [InlineData(2, 0, true)]
    [InlineData(3, 0, true)]
    [InlineData(3, 59, true)]
    [InlineData(1, 59, false)]
    [InlineData(4, 0, false)]
    [InlineData(12, 0, false)]
    public void Contains_MondayWindow_OpenFromStartUntilJustBeforeEnd(int hour, int minute, bool expected)
    {
        var instant = Local(2026, 6, 15, hour, minute, IsoDayOfWeek.Monday);

        MondayNight.Contains(instant).Should().Be(expected);
    }

    [Fact]
    public void Contains_OtherDayAtSameTime_IsClosed()
    {
        MondayNight.Contains(Local(2026, 6, 16, 2, 30, IsoDayOfWeek.Tuesday)).Should().BeFalse();
        MondayNight.Contains(Local(2026, 6, 14, 2, 30, IsoDayOfWeek.Sunday)).Should().BeFalse();
    }

    [Fact]
    public void Contains_LastTickBeforeEnd_IsOpen()
    {
        var end = Local(2026, 6, 15, 4, 0, IsoDayOfWeek.Monday);

        MondayNight.Contains(end - Duration.Epsilon).Should().BeTrue();
        MondayNight.Contains(end).Should().BeFalse();
    }

    [Fact]
    public void Contains_WindowCrossingMidnight_OpenEarlySundayMorning()
    {
        SaturdayLate.Contains(Local(2026, 6, 14, 1, 30, IsoDayOfWeek.Sunday)).Should().BeTrue();
        SaturdayLate.Contains(Local(2026, 6, 13, 23, 0, IsoDayOfWeek.Saturday)).Should().BeTrue();
        SaturdayLate.Contains(Local(2026, 6, 14, 0, 0, IsoDayOfWeek.Sunday)).Should().BeTrue();
    }

    [Fact]
    public void Contains_WindowCrossingMidnight_ClosedOutsideIt()
    {
        SaturdayLate.Contains(Local(2026, 6, 13, 22, 59, IsoDayOfWeek.Saturday)).Should().BeFalse();
        SaturdayLate.Contains(Local(2026, 6, 14, 2, 0, IsoDayOfWeek.Sunday)).Should().BeFalse();
        SaturdayLate.Contains(Local(2026, 6, 14, 23, 30, IsoDayOfWeek.Sunday)).Should().BeFalse("the window opens on Saturdays only");
        SaturdayLate.Contains(Local(2026, 6, 13, 1, 30, IsoDayOfWeek.Saturday)).Should().BeFalse("Friday has no window to spill over");
    }

    [Fact]
    public void NextOpening_BeforeWindowSameDay_ReturnsTodaysOpening()
    {
        var from = Local(2026, 6, 15, 0, 15, IsoDayOfWeek.Monday);

        MondayNight.NextOpening(from).Should().Be(Local(2026, 6, 15, 2, 0, IsoDayOfWeek.Monday));
    }

    [Fact]
    public void NextOpening_InsideWindow_ReturnsFromItself()
    {
        var from = Local(2026, 6, 15, 3, 17, IsoDayOfWeek.Monday);

        MondayNight.NextOpening(from).Should().Be(from);
    }

    [Fact]
    public void NextOpening_InsideWindowThatCrossedMidnight_ReturnsFromItself()
    {
        var from = Local(2026, 6, 14, 1, 0, IsoDayOfWeek.Sunday);

        SaturdayLate.NextOpening(from).Should().Be(from);
    }

    [Fact]
    public void NextOpening_AfterLastWindowOfWeek_WrapsToNextWeek()
    {
        var from = Local(2026, 6, 15, 5, 0, IsoDayOfWeek.Monday);

        MondayNight.NextOpening(from).Should().Be(Local(2026, 6, 22, 2, 0, IsoDayOfWeek.Monday));
    }

    [Fact]
    public void NextOpening_AtClosingInstant_WrapsToNextWeek()
    {
        var from = Local(2026, 6, 15, 4, 0, IsoDayOfWeek.Monday);

        MondayNight.NextOpening(from).Should().Be(Local(2026, 6, 22, 2, 0, IsoDayOfWeek.Monday));
    }

    [Fact]
    public void NextOpening_AfterWindowCrossingMidnight_WrapsToNextSaturday()
    {
        var from = Local(2026, 6, 14, 2, 0, IsoDayOfWeek.Sunday);

        SaturdayLate.NextOpening(from).Should().Be(Local(2026, 6, 20, 23, 0, IsoDayOfWeek.Saturday));
    }

    [Fact]
    public void NextOpening_SeveralDays_PicksTheNearest()
    {
        var window = new MaintenanceWindow([IsoDayOfWeek.Thursday, IsoDayOfWeek.Monday], new LocalTime(2, 0), Duration.FromHours(1), Berlin);

        window.NextOpening(Local(2026, 6, 16, 12, 0, IsoDayOfWeek.Tuesday)).Should().Be(Local(2026, 6, 18, 2, 0, IsoDayOfWeek.Thursday));
        window.NextOpening(Local(2026, 6, 19, 12, 0, IsoDayOfWeek.Friday)).Should().Be(Local(2026, 6, 22, 2, 0, IsoDayOfWeek.Monday));
    }

    [Fact]
    public void NextOpening_WindowOnEveryDay_NeverMoreThanADayAway()
    {
        var daily = new MaintenanceWindow(Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None), new LocalTime(1, 0), Duration.FromMinutes(30), Berlin);
        var from = Local(2026, 6, 17, 1, 30, IsoDayOfWeek.Wednesday);

        daily.NextOpening(from).Should().Be(Local(2026, 6, 18, 1, 0, IsoDayOfWeek.Thursday));
    }

    [Fact]
    public void NextOpening_WindowInGapOnSpringForwardSunday_OpensAtEndOfGap()
    {
        // On Sunday 29 March 2026 Berlin clocks jump from 02:00 to 03:00: 02:30 does not exist.
        var window = new MaintenanceWindow([IsoDayOfWeek.Sunday], new LocalTime(2, 30), Duration.FromHours(1), Berlin);
        var from = Local(2026, 3, 28, 12, 0, IsoDayOfWeek.Saturday);

        var opening = window.NextOpening(from);

        opening.Should().Be(Instant.FromUtc(2026, 3, 29, 1, 0));
        opening.InZone(Berlin).LocalDateTime.Should().Be(new LocalDateTime(2026, 3, 29, 3, 0));
        window.Contains(opening).Should().BeTrue();
        window.Contains(opening - Duration.Epsilon).Should().BeFalse();
        window.Contains(opening + Duration.FromHours(1)).Should().BeFalse("the window stays open for its length from the end of the gap");
    }

    [Fact]
    public void NextOpening_AmbiguousTimeOnFallBackSunday_UsesEarlierInstant()
    {
        // On Sunday 25 October 2026 Berlin clocks go back from 03:00 CEST to 02:00 CET: 02:30 happens twice.
        var window = new MaintenanceWindow([IsoDayOfWeek.Sunday], new LocalTime(2, 30), Duration.FromHours(1), Berlin);
        var from = Local(2026, 10, 24, 12, 0, IsoDayOfWeek.Saturday);

        var opening = window.NextOpening(from);

        opening.Should().Be(Instant.FromUtc(2026, 10, 25, 0, 30), "02:30 CEST comes first");
        window.Contains(Instant.FromUtc(2026, 10, 25, 1, 29)).Should().BeTrue();
        window.Contains(Instant.FromUtc(2026, 10, 25, 1, 30)).Should().BeFalse("02:30 CET, the second occurrence, is one hour later");
    }

    [Fact]
    public void Contains_WindowAcrossFallBack_OpenForItsLengthInElapsedTime()
    {
        // Saturday 24 October 23:00 CEST for 4 hours ends at 02:00 CET local, 01:00 UTC.
        var window = new MaintenanceWindow([IsoDayOfWeek.Saturday], new LocalTime(23, 0), Duration.FromHours(4), Berlin);

        window.Contains(Instant.FromUtc(2026, 10, 25, 0, 59)).Should().BeTrue();
        window.Contains(Instant.FromUtc(2026, 10, 25, 1, 0)).Should().BeFalse();
    }

    [Fact]
    public void Constructor_NoDays_Throws()
    {
        var act = () => new MaintenanceWindow([], new LocalTime(2, 0), Duration.FromHours(1), Berlin);

        act.Should().Throw<RotationPolicyException>().WithMessage("*at least one day*");
    }

    [Fact]
    public void Constructor_OnlyNoneDay_Throws()
    {
        var act = () => new MaintenanceWindow([IsoDayOfWeek.None], new LocalTime(2, 0), Duration.FromHours(1), Berlin);

        act.Should().Throw<RotationPolicyException>();
    }

    [Theory]
    [InlineData(8)]
    [InlineData(-1)]
    public void Constructor_DayOutsideMondayToSunday_Throws(int day)
    {
        // Such a window could never open: NextOpening would find no day within a week.
        var act = () => new MaintenanceWindow([IsoDayOfWeek.Monday, (IsoDayOfWeek)day], new LocalTime(2, 0), Duration.FromHours(1), Berlin);

        act.Should().Throw<RotationPolicyException>().WithMessage("*Monday to Sunday*");
    }

    [Fact]
    public void Constructor_NoneAmongValidDays_Throws()
    {
        var act = () => new MaintenanceWindow([IsoDayOfWeek.Monday, IsoDayOfWeek.None], new LocalTime(2, 0), Duration.FromHours(1), Berlin);

        act.Should().Throw<RotationPolicyException>();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    [InlineData((24 * 60) + 1)]
    public void Constructor_LengthOutOfRange_Throws(int minutes)
    {
        var act = () => new MaintenanceWindow([IsoDayOfWeek.Monday], new LocalTime(2, 0), Duration.FromMinutes(minutes), Berlin);

        act.Should().Throw<RotationPolicyException>().WithMessage("*24 hours*");
    }

    [Fact]
    public void Constructor_LengthJustOver24Hours_Throws()
    {
        var act = () => new MaintenanceWindow([IsoDayOfWeek.Monday], new LocalTime(2, 0), Duration.FromDays(1) + Duration.Epsilon, Berlin);

        act.Should().Throw<RotationPolicyException>();
    }

    [Fact]
    public void Constructor_Exactly24Hours_IsAcceptedAndDuplicateDaysCollapse()
    {
        var window = new MaintenanceWindow([IsoDayOfWeek.Monday, IsoDayOfWeek.Monday], new LocalTime(0, 0), Duration.FromDays(1), Berlin);

        window.Days.Should().BeEquivalentTo([IsoDayOfWeek.Monday]);
        window.Length.Should().Be(Duration.FromDays(1));
        window.Contains(Local(2026, 6, 15, 23, 59, IsoDayOfWeek.Monday)).Should().BeTrue();
        window.Contains(Local(2026, 6, 16, 0, 0, IsoDayOfWeek.Tuesday)).Should().BeFalse();
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        var noDays = () => new MaintenanceWindow(null!, new LocalTime(2, 0), Duration.FromHours(1), Berlin);
        var noZone = () => new MaintenanceWindow([IsoDayOfWeek.Monday], new LocalTime(2, 0), Duration.FromHours(1), null!);

        noDays.Should().Throw<ArgumentNullException>();
        noZone.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void ToString_Window_ShowsDaysStartAndZone()
    {
        SaturdayLate.ToString().Should().Contain("Saturday").And.Contain("23:00").And.Contain("Europe/Berlin");
    }

    private static Instant Local(int year, int month, int day, int hour, int minute, IsoDayOfWeek expectedDay)
    {
        var local = new LocalDateTime(year, month, day, hour, minute);
        local.DayOfWeek.Should().Be(expectedDay, "the test's date must fall on the day it names");
        return local.InZoneStrictly(Berlin).ToInstant();
    }
}
