using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

internal sealed class RotationOptionsValidator : IValidateOptions<RotationOptions>
{
    public ValidateOptionsResult Validate(string? name, RotationOptions options)
    {
        var failures = new List<string>();
        if (options.ImmediateRetries is < 0 or > 10)
        {
            failures.Add($"RotationOptions.ImmediateRetries is {options.ImmediateRetries}; use 0 to 10 (default 2).");
        }

        if (options.MaxAttempts is < 1 or > 100)
        {
            failures.Add($"RotationOptions.MaxAttempts is {options.MaxAttempts}; use 1 to 100 (default 5).");
        }

        if (options.VerifyPropagationAttempts is < 1 or > 100)
        {
            failures.Add($"RotationOptions.VerifyPropagationAttempts is {options.VerifyPropagationAttempts}; use 1 to 100 (default 3).");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
        {
            failures.Add("RotationOptions.RetryDelay must not be negative and MaxRetryDelay must be at least RetryDelay.");
        }

        if (options.Backoff < Duration.Zero || options.MaxBackoff < options.Backoff)
        {
            failures.Add("RotationOptions.Backoff must not be negative and MaxBackoff must be at least Backoff.");
        }

        if (options.AdoptionFloor < Duration.Zero || options.AdoptionFloor > Duration.FromDays(30))
        {
            failures.Add($"RotationOptions.AdoptionFloor is {options.AdoptionFloor}; use zero to 30 days (default 5 minutes). The grace period is the ceiling.");
        }

        if (options.InstanceTimeout <= Duration.Zero || options.InstanceTimeout > Duration.FromDays(1))
        {
            failures.Add($"RotationOptions.InstanceTimeout is {options.InstanceTimeout}; use more than zero and at most a day (default 2 minutes), and more than the heartbeat interval of the host instances.");
        }

        if (options.AdoptionCheckInterval <= Duration.Zero || options.AdoptionCheckInterval > Duration.FromHours(1))
        {
            failures.Add($"RotationOptions.AdoptionCheckInterval is {options.AdoptionCheckInterval}; use more than zero and at most an hour (default 30 seconds).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
