using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Fireworks;

/// <summary>
/// Checks each Fireworks connection's ManagementKey, AccountId and UserId at start, so a missing value stops start-up with
/// a message saying where to set it; the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class FireworksProviderOptionsValidator : IValidateOptions<FireworksProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, FireworksProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var where = $"{nameof(FireworksProviderOptions)} of connection '{name}'";
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, where, options.ManagementKey, nameof(FireworksProviderOptions.ManagementKey), "AddFireworks", name, options.ConfigurationPath);
        CheckId(failures, where, options.AccountId, nameof(FireworksProviderOptions.AccountId), options.ConfigurationPath, "the account id shown in the Fireworks console (or firectl's account_id)");
        CheckId(failures, where, options.UserId, nameof(FireworksProviderOptions.UserId), options.ConfigurationPath, "the id of the user or service-account user whose keys IronCage manages");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>An id that is one path segment: not empty, no whitespace, no '/', '?', '#' or ':'.</summary>
    internal static bool IsPathId(string? value)
        => !string.IsNullOrWhiteSpace(value) && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '?' or '#' or ':' or '\\');

    private static void CheckId(List<string> failures, string where, string? value, string option, string? configurationPath, string what)
    {
        var key = configurationPath is null ? option : $"{configurationPath}:{option}";
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{where}: {option} is missing. Set '{key}' to {what}.");
        }
        else if (!IsPathId(value))
        {
            failures.Add($"{where}: {option} '{value}' is not a plain id (it has whitespace, '/', '?', '#', ':' or '\\'). Set '{key}' to {what}.");
        }
    }
}
