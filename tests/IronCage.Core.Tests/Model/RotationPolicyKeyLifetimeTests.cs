using NodaTime;

namespace IronCage.Core.Tests.Model;

public sealed class RotationPolicyKeyLifetimeTests
{
    [Fact]
    public void Validate_KeyLifetimeShorterThanScheduleAndGrace_IsRefused()
    {
        var policy = new RotationPolicy { Schedule = RotationSchedule.Monthly, KeyLifetime = Duration.FromDays(31) };
        policy.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>().WithMessage("*expire before they are replaced*");
    }

    [Fact]
    public void Validate_KeyLifetimeCoveringScheduleAndGrace_IsAccepted()
    {
        new RotationPolicy { Schedule = RotationSchedule.Monthly, KeyLifetime = Duration.FromDays(40) }.Invoking(p => p.Validate()).Should().NotThrow();
        new RotationPolicy { KeyLifetime = Duration.FromDays(1) }.Invoking(p => p.Validate()).Should().NotThrow("without a schedule there is nothing to outlive");
        new RotationPolicy { KeyLifetime = Duration.Zero }.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>();
    }
}
