using Microsoft.Extensions.Options;

namespace IronCage.Http;

internal sealed class InstanceHeartbeatOptionsValidator : IValidateOptions<InstanceHeartbeatOptions>
{
    public ValidateOptionsResult Validate(string? name, InstanceHeartbeatOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.InstanceId) || options.InstanceId.Length > 200)
        {
            failures.Add("InstanceHeartbeatOptions.InstanceId must be set and at most 200 characters (it names this process in the heartbeat store).");
        }

        if (options.Interval < TimeSpan.FromMilliseconds(10) || options.Interval > TimeSpan.FromMinutes(30))
        {
            failures.Add($"InstanceHeartbeatOptions.Interval is {options.Interval}; use 10 ms to 30 minutes (default 30 seconds), well below RotationOptions.InstanceTimeout.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
