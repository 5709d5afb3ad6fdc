using NodaTime;

namespace IronCage.Testing;

/// <summary>
/// A NodaTime <see cref="IClock"/> that tests control: it starts at a given instant and moves only when told
/// (<see cref="Advance"/>, <see cref="Reset"/>), or by <see cref="AutoAdvance"/> after every reading. Thread-safe.
/// </summary>
public sealed class FakeClock : IClock
{
    private readonly object _gate = new();
    private Instant _now;
    private Duration _autoAdvance;

    /// <summary>Creates a clock at an instant.</summary>
    /// <param name="initial">The first instant the clock reads.</param>
    /// <param name="autoAdvance">How far the clock moves after each reading; zero to stand still.</param>
    public FakeClock(Instant initial, Duration autoAdvance = default)
    {
        _now = initial;
        AutoAdvance = autoAdvance;
    }

    /// <summary>Gets or sets how far the clock moves after each <see cref="GetCurrentInstant"/>.</summary>
    /// <value>The default value is zero (the clock stands still).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public Duration AutoAdvance
    {
        get
        {
            lock (_gate)
            {
                return _autoAdvance;
            }
        }

        set
        {
            if (value < Duration.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A clock cannot auto-advance backwards.");
            }

            lock (_gate)
            {
                _autoAdvance = value;
            }
        }
    }

    /// <summary>Creates a clock at a UTC date and time.</summary>
    /// <param name="year">The year.</param>
    /// <param name="monthOfYear">The month (1–12).</param>
    /// <param name="dayOfMonth">The day (1–31).</param>
    /// <param name="hourOfDay">The hour (0–23).</param>
    /// <param name="minuteOfHour">The minute.</param>
    /// <param name="secondOfMinute">The second.</param>
    /// <returns>The clock.</returns>
    public static FakeClock FromUtc(int year, int monthOfYear, int dayOfMonth, int hourOfDay = 0, int minuteOfHour = 0, int secondOfMinute = 0)
        => new(Instant.FromUtc(year, monthOfYear, dayOfMonth, hourOfDay, minuteOfHour, secondOfMinute));

    /// <summary>Returns the current instant, then moves on by <see cref="AutoAdvance"/>.</summary>
    /// <returns>The current instant.</returns>
    public Instant GetCurrentInstant()
    {
        lock (_gate)
        {
            var now = _now;
            _now += _autoAdvance;
            return now;
        }
    }

    /// <summary>Moves the clock forward (or back, with a negative duration).</summary>
    /// <param name="duration">How far.</param>
    public void Advance(Duration duration)
    {
        lock (_gate)
        {
            _now += duration;
        }
    }

    /// <summary>Moves the clock forward by seconds.</summary>
    /// <param name="seconds">How many.</param>
    public void AdvanceSeconds(long seconds) => Advance(Duration.FromSeconds(seconds));

    /// <summary>Moves the clock forward by minutes.</summary>
    /// <param name="minutes">How many.</param>
    public void AdvanceMinutes(long minutes) => Advance(Duration.FromMinutes(minutes));

    /// <summary>Moves the clock forward by hours.</summary>
    /// <param name="hours">How many.</param>
    public void AdvanceHours(long hours) => Advance(Duration.FromHours(hours));

    /// <summary>Moves the clock forward by standard days (24 hours each).</summary>
    /// <param name="days">How many.</param>
    public void AdvanceDays(long days) => Advance(Duration.FromDays(days));

    /// <summary>Sets the clock to an instant.</summary>
    /// <param name="instant">The instant.</param>
    public void Reset(Instant instant)
    {
        lock (_gate)
        {
            _now = instant;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"FakeClock({GetCurrentInstantWithoutAdvancing()})";

    private Instant GetCurrentInstantWithoutAdvancing()
    {
        lock (_gate)
        {
            return _now;
        }
    }
}
