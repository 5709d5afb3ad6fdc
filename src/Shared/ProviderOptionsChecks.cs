namespace IronCage.Internal;

/// <summary>
/// The checks every provider connection's options share (base address, credential, resilience settings), with
/// messages that name the option and, for options bound from configuration, the configuration key.
/// </summary>
/// <remarks>Shared source: compiled into each provider package.</remarks>
internal static class ProviderOptionsChecks
{
    public static List<string> Check(string optionsType, string? connection, string? configurationPath, string addMethod, Uri? baseAddress, string? credential, string credentialProperty, ProviderResilienceSettings resilience)
    {
        var failures = new List<string>();
        var where = $"{optionsType} of connection '{connection}'";
        if (string.IsNullOrWhiteSpace(credential))
        {
            var key = configurationPath is null ? null : $"{configurationPath}:{credentialProperty}";
            failures.Add(key is null
                ? $"{where}: {credentialProperty} is missing. Set it with {addMethod}(\"{connection}\", o => o.{credentialProperty} = configuration[\"…\"]) from a secret store, or bind a configuration section that has a '{credentialProperty}' value."
                : $"{where}: {credentialProperty} is missing. Set the configuration key '{key}' (from a secret store or an environment variable such as {key.Replace(":", "__", StringComparison.Ordinal)}).");
        }
        else if (credential.Any(char.IsWhiteSpace) || credential.Any(char.IsControl))
        {
            failures.Add($"{where}: {credentialProperty} contains whitespace or control characters; paste the key without spaces or line breaks.");
        }

        if (baseAddress is null || !baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{where}: BaseAddress must be an absolute http(s) address; leave it unset for the provider's own API.");
        }
        else if (baseAddress.Scheme == Uri.UriSchemeHttp && !baseAddress.IsLoopback)
        {
            failures.Add($"{where}: BaseAddress '{baseAddress}' is plain http on a non-loopback host, which would send the admin key unencrypted; use https (plain http is allowed only for 127.0.0.1, such as the IronCage emulator).");
        }

        if (resilience.Timeout <= TimeSpan.Zero || resilience.Timeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{where}: Timeout is {resilience.Timeout}; use more than zero and at most 10 minutes.");
        }

        if (resilience.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{where}: MaxRetryAttempts is {resilience.MaxRetryAttempts}; use 0 to 10.");
        }

        if (resilience.RetryDelay < TimeSpan.Zero || resilience.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{where}: RetryDelay is {resilience.RetryDelay}; use zero to 1 minute.");
        }

        if (resilience.BreakDuration < TimeSpan.FromMilliseconds(500) || resilience.BreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{where}: CircuitBreakDuration is {resilience.BreakDuration}; use 0.5 seconds to 1 day.");
        }

        return failures;
    }

    /// <summary>The base address with a trailing slash, so relative paths append instead of replacing its last segment.</summary>
    public static Uri Normalize(Uri baseAddress)
        => baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
}
