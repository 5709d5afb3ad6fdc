using NodaTime;

namespace IronCage.Providers.Tests;

/// <summary>A <see cref="TimeProvider"/> that reads a NodaTime clock set later, so an emulator started before the host keeps the host's (fake) time.</summary>
internal sealed class HostClockTimeProvider : TimeProvider
{
    public IClock? Clock { get; set; }

    public override DateTimeOffset GetUtcNow() => (Clock ?? SystemClock.Instance).GetCurrentInstant().ToDateTimeOffset();
}
