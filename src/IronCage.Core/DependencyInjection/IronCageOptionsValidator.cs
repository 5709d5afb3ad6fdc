using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage;

/// <summary>
/// Validates <see cref="IronCageOptions"/> at start, and makes sure the key-encryption key provider can be built,
/// so a missing or malformed master key stops start-up instead of the first rotation.
/// </summary>
internal sealed class IronCageOptionsValidator : IValidateOptions<IronCageOptions>
{
    private readonly IServiceProvider _services;

    public IronCageOptionsValidator(IServiceProvider services) => _services = services;

    public ValidateOptionsResult Validate(string? name, IronCageOptions options)
    {
        var failures = new List<string>();
        if (options.DefaultGracePeriod < Duration.Zero || options.DefaultGracePeriod > IronCageConstants.MaxGracePeriod)
        {
            failures.Add($"IronCageOptions.DefaultGracePeriod is {options.DefaultGracePeriod}; use 0 to 30 days (default 24 hours).");
        }

        if (options.DefaultExpiryWarningLead < Duration.Zero)
        {
            failures.Add($"IronCageOptions.DefaultExpiryWarningLead is {options.DefaultExpiryWarningLead}; it must not be negative (default 14 days).");
        }

        if (options.VerifyTimeout < TimeSpan.FromSeconds(1) || options.VerifyTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"IronCageOptions.VerifyTimeout is {options.VerifyTimeout}; use 1 second to 5 minutes (default 30 seconds).");
        }

        foreach (var (provider, address) in options.ProviderBaseAddresses)
        {
            if (address is null || !address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"IronCageOptions.ProviderBaseAddresses['{provider}'] must be an absolute http(s) URI such as http://127.0.0.1:5000/.");
            }
        }

        foreach (var descriptor in options.Providers)
        {
            try
            {
                descriptor.Validate();
            }
            catch (ArgumentException ex)
            {
                failures.Add(ex.Message);
            }
        }

        foreach (var service in new[] { typeof(IKeyEncryptionKeyProvider), typeof(ISecretFingerprinter) })
        {
            try
            {
                _ = _services.GetRequiredService(service);
            }
            catch (OptionsValidationException ex)
            {
                failures.AddRange(ex.Failures.Where(f => !failures.Contains(f)));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
