using Microsoft.Extensions.Options;

namespace IronCage.Notifications;

/// <summary>Validates <see cref="NotificationOutboxOptions"/> at start.</summary>
internal sealed class NotificationOutboxOptionsValidator : IValidateOptions<NotificationOutboxOptions>
{
    private static readonly TimeSpan MinDeliveryTimeout = TimeSpan.FromMilliseconds(10);

    public ValidateOptionsResult Validate(string? name, NotificationOutboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Capacity is < 1 or > NotificationOutboxConstants.MaxCapacity)
        {
            failures.Add($"NotificationOutboxOptions.Capacity is {options.Capacity}; use 1 to {NotificationOutboxConstants.MaxCapacity} events per sink (default {NotificationOutboxConstants.DefaultCapacity}).");
        }

        if (!Enum.IsDefined(options.FullMode))
        {
            failures.Add($"NotificationOutboxOptions.FullMode is {(int)options.FullMode}; use DropOldest or DropNewest.");
        }

        if (options.DeliveryTimeout < MinDeliveryTimeout || options.DeliveryTimeout > NotificationOutboxConstants.MaxDeliveryTimeout)
        {
            failures.Add($"NotificationOutboxOptions.DeliveryTimeout is {options.DeliveryTimeout}; use 10 milliseconds to 1 hour (default 1 minute).");
        }

        if (options.MaxRetries is < 0 or > NotificationOutboxConstants.MaxMaxRetries)
        {
            failures.Add($"NotificationOutboxOptions.MaxRetries is {options.MaxRetries}; use 0 to {NotificationOutboxConstants.MaxMaxRetries} (default {NotificationOutboxConstants.DefaultMaxRetries}).");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay || options.MaxRetryDelay > NotificationOutboxConstants.MaxRetryDelayLimit)
        {
            failures.Add("NotificationOutboxOptions.RetryDelay must not be negative, and MaxRetryDelay must be at least RetryDelay and at most 1 hour (defaults 1 second and 30 seconds).");
        }

        if (options.DrainTimeout < TimeSpan.Zero || options.DrainTimeout > NotificationOutboxConstants.MaxDrainTimeout)
        {
            failures.Add($"NotificationOutboxOptions.DrainTimeout is {options.DrainTimeout}; use 0 to 5 minutes (default 10 seconds).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
