namespace IronCage.Internal;

/// <summary>
/// The checks provider connections' options share: base address and credential (the packages configured with one API
/// key) and resilience settings (every package), with messages that name the option and, for options bound from
/// configuration, the configuration key.
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

        CheckResilience(failures, where, resilience, "Timeout", "MaxRetryAttempts");
        return failures;
    }

    /// <summary>The checks of the resilience settings every provider connection has, with the package's option names.</summary>
    /// <param name="failures">Where failures are added.</param>
    /// <param name="where">Names the options and the connection at the start of each message.</param>
    /// <param name="resilience">The settings.</param>
    /// <param name="timeoutOption">The name of the per-attempt timeout option.</param>
    /// <param name="retriesOption">The name of the retry count option.</param>
    public static void CheckResilience(List<string> failures, string where, ProviderResilienceSettings resilience, string timeoutOption, string retriesOption)
    {
        if (resilience.Timeout <= TimeSpan.Zero || resilience.Timeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{where}: {timeoutOption} is {resilience.Timeout}; use more than zero and at most 10 minutes.");
        }

        if (resilience.MaxRetryAttempts is < 0 or > 10)
        {
            failures.Add($"{where}: {retriesOption} is {resilience.MaxRetryAttempts}; use 0 to 10.");
        }

        if (resilience.RetryDelay < TimeSpan.Zero || resilience.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{where}: RetryDelay is {resilience.RetryDelay}; use zero to 1 minute.");
        }

        if (resilience.BreakDuration < TimeSpan.FromMilliseconds(500) || resilience.BreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{where}: CircuitBreakDuration is {resilience.BreakDuration}; use 0.5 seconds to 1 day.");
        }
    }

    /// <summary>The checks of the polling settings of the packages whose management API answers with long-running operations.</summary>
    /// <param name="failures">Where failures are added.</param>
    /// <param name="where">Names the options and the connection at the start of each message.</param>
    /// <param name="polling">The settings.</param>
    public static void CheckPolling(List<string> failures, string where, ProviderPollSettings polling)
    {
        Positive(polling.Interval, "PollInterval");
        Positive(polling.MaxInterval, "MaxPollInterval");
        Positive(polling.Timeout, "OperationTimeout");

        void Positive(TimeSpan value, string option)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{where}: {option} must be positive.");
            }
        }
    }

    /// <summary>The base address with a trailing slash, so relative paths append instead of replacing its last segment.</summary>
    public static Uri Normalize(Uri baseAddress)
        => baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
}
