using NodaTime;

namespace IronCage;

/// <summary>A NodaTime <see cref="IClock"/> that reads a <see cref="TimeProvider"/>, so a host's fake time reaches IronCage.</summary>
internal sealed class TimeProviderClock(TimeProvider time) : IClock
{
    /// <summary>Gets the time provider the clock reads.</summary>
    public TimeProvider Time { get; } = time;

    /// <inheritdoc />
    public Instant GetCurrentInstant() => Instant.FromDateTimeOffset(Time.GetUtcNow());
}
