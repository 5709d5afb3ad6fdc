namespace IronCage.Providers.Http;

/// <summary>
/// The option checks provider packages share beyond the shared connection settings: a credential
/// given as one key, and the polling of long-running operations. Messages name the option and, for options bound from
/// configuration, the configuration key.
/// </summary>
public static class ProviderOptionsChecks
{
    /// <summary>The failures of <paramref name="options"/>, each message starting with <paramref name="where"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="where">Names the options and the connection.</param>
    /// <returns>The failures; empty when the settings are usable.</returns>
    public static List<string> CheckConnection(ProviderHttpOptions options, string where)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var baseAddress = options.BaseAddress;
        if (baseAddress is null || !baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{where}: BaseAddress must be an absolute http(s) address; leave it unset for the provider's own API.");
        }
        else if (baseAddress.Scheme == Uri.UriSchemeHttp && !baseAddress.IsLoopback)
        {
            failures.Add($"{where}: BaseAddress '{baseAddress}' is plain http on a non-loopback host, which would send the credential unencrypted; use https (plain http is allowed only for 127.0.0.1, such as the IronCage emulator).");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{where}: Timeout is {options.Timeout}; use more than zero and at most 10 minutes.");
        }

        if (options.MaxRetries is < 0 or > ProviderHttpConstants.MaxMaxRetries)
        {
            failures.Add($"{where}: MaxRetries is {options.MaxRetries}; use 0 to {ProviderHttpConstants.MaxMaxRetries}.");
        }

        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{where}: RetryDelay is {options.RetryDelay}; use zero to 1 minute.");
        }

        if (options.CircuitBreakDuration < TimeSpan.FromMilliseconds(500) || options.CircuitBreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{where}: CircuitBreakDuration is {options.CircuitBreakDuration}; use 0.5 seconds to 1 day.");
        }

        return failures;
    }

    /// <summary>Checks a credential held as one key (an admin or management key).</summary>
    /// <param name="failures">Where failures are added.</param>
    /// <param name="where">Names the options and the connection at the start of each message.</param>
    /// <param name="credential">The credential; never put in a message.</param>
    /// <param name="credentialOption">The option that holds it (<c>AdminKey</c>).</param>
    /// <param name="addMethod">The package's <c>Add&lt;Provider&gt;</c> method, for the advice.</param>
    /// <param name="connection">The connection's name, for the advice.</param>
    /// <param name="configurationPath">The configuration section the options were bound from, if any.</param>
    public static void CheckCredential(List<string> failures, string where, string? credential, string credentialOption, string addMethod, string? connection, string? configurationPath)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (string.IsNullOrWhiteSpace(credential))
        {
            var key = configurationPath is null ? null : $"{configurationPath}:{credentialOption}";
            failures.Add(key is null
                ? $"{where}: {credentialOption} is missing. Set it with {addMethod}(\"{connection}\", o => o.{credentialOption} = configuration[\"…\"]) from a secret store, or bind a configuration section that has a '{credentialOption}' value."
                : $"{where}: {credentialOption} is missing. Set the configuration key '{key}' (from a secret store or an environment variable such as {key.Replace(":", "__", StringComparison.Ordinal)}).");
        }
        else if (credential.Any(char.IsWhiteSpace) || credential.Any(char.IsControl))
        {
            failures.Add($"{where}: {credentialOption} contains whitespace or control characters; paste the key without spaces or line breaks.");
        }
    }

    /// <summary>
    /// Checks, where the provider's admin keys have their own shape (OpenAI <c>sk-admin-</c>, Anthropic
    /// <c>sk-ant-admin01-</c>), that an admin credential is not an inference key or another provider's key: such a key
    /// passes start-up otherwise and fails the first rotation. Values of no recognisable shape are left to the provider.
    /// </summary>
    /// <param name="failures">Where failures are added.</param>
    /// <param name="validator">The key format validator (over the host's catalog).</param>
    /// <param name="provider">The provider the credential is for.</param>
    /// <param name="where">Names the options and the connection at the start of each message.</param>
    /// <param name="credential">The admin credential.</param>
    /// <param name="credentialOption">The option's name.</param>
    public static void CheckAdminKeyShape(List<string> failures, KeyFormatValidator validator, ProviderId provider, string where, string credential, string credentialOption)
    {
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(credential);
        using var secret = SecretValue.FromString(credential);
        var result = validator.Check(provider, secret, KeyKind.Admin);
        if (result.Error is KeyFormatError.InferenceKeyAsAdmin or KeyFormatError.OtherProvidersKey)
        {
            failures.Add($"{where}: {credentialOption}: {result.Message}");
        }
    }

    /// <summary>Checks the polling settings of a package whose management API answers with long-running operations.</summary>
    /// <param name="failures">Where failures are added.</param>
    /// <param name="where">Names the options and the connection at the start of each message.</param>
    /// <param name="polling">The settings.</param>
    public static void CheckPolling(List<string> failures, string where, ProviderPollSettings polling)
    {
        ArgumentNullException.ThrowIfNull(failures);
        ArgumentNullException.ThrowIfNull(polling);
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
    /// <param name="baseAddress">The configured address.</param>
    /// <returns>The address ending in <c>/</c>.</returns>
    public static Uri Normalize(Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        return baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
    }
}
