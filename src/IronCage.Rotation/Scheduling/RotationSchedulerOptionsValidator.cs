using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

internal sealed class RotationSchedulerOptionsValidator : IValidateOptions<RotationSchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, RotationSchedulerOptions options)
    {
        var failures = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"RotationSchedulerOptions.Interval is {options.Interval}; use at least 1 second (default 1 minute).");
        }

        if (options.MaxParallelism is < 1 or > 256)
        {
            failures.Add($"RotationSchedulerOptions.MaxParallelism is {options.MaxParallelism}; use 1 to 256 (default 4).");
        }

        if (options.MaxKeysPerPass < 1)
        {
            failures.Add($"RotationSchedulerOptions.MaxKeysPerPass is {options.MaxKeysPerPass}; use at least 1 (default 1,000).");
        }

        if (options.LeaseDuration <= Duration.Zero)
        {
            failures.Add("RotationSchedulerOptions.LeaseDuration must be positive (default 5 minutes).");
        }

        if (options.LeaseRenewalInterval is { } renewal && (renewal <= TimeSpan.Zero || renewal >= options.LeaseDuration.ToTimeSpan()))
        {
            failures.Add($"RotationSchedulerOptions.LeaseRenewalInterval is {renewal}; it must be positive and shorter than LeaseDuration ({options.LeaseDuration}), or null for a third of it.");
        }

        if (options.ReminderInterval <= Duration.Zero)
        {
            failures.Add("RotationSchedulerOptions.ReminderInterval must be positive (default 24 hours).");
        }

        if (string.IsNullOrWhiteSpace(options.InstanceId))
        {
            failures.Add("RotationSchedulerOptions.InstanceId must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
