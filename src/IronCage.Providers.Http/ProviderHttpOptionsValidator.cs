using Microsoft.Extensions.Options;

namespace IronCage.Providers.Http;

/// <summary>
/// Checks the settings every provider connection shares (<see cref="ProviderHttpOptions"/>) when the host starts;
/// each package's own validator checks the rest. Registered for every connection by
/// <see cref="ProviderHttpIronCageBuilderExtensions.AddProviderConnection{TOptions}(IIronCageBuilder, string, Action{TOptions}, ProviderClientSettings)"/>.
/// </summary>
/// <typeparam name="TOptions">The provider's options type.</typeparam>
public sealed class ProviderHttpOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : ProviderHttpOptions
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = ProviderOptionsChecks.CheckConnection(options, $"{typeof(TOptions).Name} of connection '{(string.IsNullOrEmpty(name) ? "default" : name)}'");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
