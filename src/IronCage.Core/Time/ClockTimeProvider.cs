using NodaTime;

namespace IronCage;

/// <summary>
/// A <see cref="TimeProvider"/> whose "now" is a NodaTime <see cref="IClock"/>, so code written against
/// <see cref="TimeProvider"/> (HTTP resilience, timeouts) reads the same time as a host's fake clock.
/// </summary>
/// <remarks>
/// Only the wall clock follows the <see cref="IClock"/>: timers and timestamps (delays, timeouts) keep running in real
/// time, because an <see cref="IClock"/> cannot announce that it moved. A test that needs timers to follow fake time
/// registers a <c>FakeTimeProvider</c> instead; IronCage then derives its <see cref="IClock"/> from it.
/// </remarks>
internal sealed class ClockTimeProvider(IClock clock) : TimeProvider
{
    /// <summary>Gets the clock this provider reads.</summary>
    public IClock Clock { get; } = clock;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Clock.GetCurrentInstant().ToDateTimeOffset();
}
