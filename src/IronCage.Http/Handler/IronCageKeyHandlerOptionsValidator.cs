using IronCage.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Http;

/// <summary>Checks a handler's options when its HttpClient is first built.</summary>
internal sealed class IronCageKeyHandlerOptionsValidator : IValidateOptions<IronCageKeyHandlerOptions>
{
    public ValidateOptionsResult Validate(string? name, IronCageKeyHandlerOptions options)
    {
        var failures = new List<string>();
        if (options.RateLimitCoolDown < TimeSpan.Zero || options.QuotaCoolDown < TimeSpan.Zero)
        {
            failures.Add("IronCageKeyHandlerOptions cool-downs (RateLimitCoolDown, QuotaCoolDown) must not be negative.");
        }

        if (options.MaxUsageBodyBytes <= 0 || options.DefaultMaxOutputTokens <= 0)
        {
            failures.Add("IronCageKeyHandlerOptions.MaxUsageBodyBytes and DefaultMaxOutputTokens must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail($"HttpClient '{name}': " + string.Join(" ", failures));
    }
}
