using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IronCage.Secrets.Kubernetes;

/// <summary>Checks <see cref="KubernetesSecretTargetOptions"/> at start-up, and <see cref="KubernetesSecretSourceOptions"/> when a source is made.</summary>
internal sealed partial class KubernetesSecretTargetOptionsValidator : IValidateOptions<KubernetesSecretTargetOptions>
{
    public static void ThrowIfInvalid(KubernetesSecretTargetOptions options)
    {
        var result = new KubernetesSecretTargetOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(KubernetesSecretTargetOptions), result.Failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, KubernetesSecretTargetOptions options)
    {
        var failures = new List<string>();
        if (!KeyReference.TryParse(options.Key, out _))
        {
            failures.Add($"KubernetesSecretTargetOptions.Key '{options.Key}' is not a managed key reference: set it to provider/name, for example openai/prod.");
        }

        foreach (var (field, value) in new[] { ("Namespace", options.Namespace), ("SecretName", options.SecretName) }.Concat(options.RestartDeployments.Select(d => ("RestartDeployments", d))))
        {
            if (!DnsName().IsMatch(value ?? string.Empty))
            {
                failures.Add($"KubernetesSecretTargetOptions.{field} '{value}' is not a Kubernetes object name (lower-case letters, digits, '-' and '.', up to 253 characters).");
            }
        }

        if (!DataKey().IsMatch(options.DataKey ?? string.Empty))
        {
            failures.Add($"KubernetesSecretTargetOptions.DataKey '{options.DataKey}' is not a Secret data key (letters, digits, '-', '_' and '.').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static List<string> ValidateSource(KubernetesSecretSourceOptions options)
    {
        var failures = new List<string>();
        if (options.SecretNames.Count == 0)
        {
            failures.Add("KubernetesSecretSourceOptions.SecretNames is empty: add the name of each Secret to read.");
        }

        foreach (var (field, value) in new[] { ("Namespace", options.Namespace) }.Concat(options.SecretNames.Select(s => ("SecretNames", s))))
        {
            if (!DnsName().IsMatch(value ?? string.Empty))
            {
                failures.Add($"KubernetesSecretSourceOptions.{field} '{value}' is not a Kubernetes object name (lower-case letters, digits, '-' and '.', up to 253 characters).");
            }
        }

        return failures;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsName();

    [GeneratedRegex("^[-._a-zA-Z0-9]{1,253}$")]
    private static partial Regex DataKey();
}
