using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.XAI;

/// <summary>
/// Checks each xAI connection's management key, team, ACLs and inference address at start, so a missing or malformed
/// setting stops start-up with a message saying where to set it; the shared settings are checked by
/// <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class XAIProviderOptionsValidator : IValidateOptions<XAIProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, XAIProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var where = $"{nameof(XAIProviderOptions)} of connection '{name}'";
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, where, options.ManagementKey, nameof(XAIProviderOptions.ManagementKey), "AddXAI", name, options.ConfigurationPath);
        if (string.IsNullOrWhiteSpace(options.TeamId))
        {
            failures.Add($"{where}: TeamId is not set; set it to the team's id (xAI Console → team settings), the team whose keys IronCage creates and lists.");
        }
        else if (options.TeamId.AsSpan().IndexOfAny("/?#% ") >= 0)
        {
            failures.Add($"{where}: TeamId '{options.TeamId}' is not a team id (it holds '/', '?', '#', '%' or a space); copy the id from the console, not a URL.");
        }

        foreach (var acl in options.Acls)
        {
            if (acl is null || !(acl.StartsWith("api-key:model:", StringComparison.Ordinal) || acl.StartsWith("api-key:endpoint:", StringComparison.Ordinal)) || acl.EndsWith(':'))
            {
                failures.Add($"{where}: Acls holds '{acl}'; an ACL is api-key:model:<model name or *> or api-key:endpoint:<chat, image or *>.");
            }
        }

        var inference = options.InferenceAddress;
        if (inference is null || !inference.IsAbsoluteUri || (inference.Scheme != Uri.UriSchemeHttps && !(inference.Scheme == Uri.UriSchemeHttp && inference.IsLoopback)))
        {
            failures.Add($"{where}: InferenceAddress must be an absolute https address (plain http only for 127.0.0.1, such as the IronCage emulator); leave it unset for https://api.x.ai/.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
