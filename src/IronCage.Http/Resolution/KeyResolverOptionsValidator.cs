using IronCage.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Http;

/// <summary>Checks the resolver's options at start: pools with keys of one provider, positive intervals and limits.</summary>
internal sealed class KeyResolverOptionsValidator : IValidateOptions<KeyResolverOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyResolverOptions options)
    {
        var failures = new List<string>();
        if (options.RefreshInterval <= TimeSpan.Zero)
        {
            failures.Add($"KeyResolverOptions.RefreshInterval must be positive (it is {options.RefreshInterval}).");
        }

        if (options.RetiredSecretLifetime < TimeSpan.Zero)
        {
            failures.Add("KeyResolverOptions.RetiredSecretLifetime must not be negative.");
        }

        foreach (var (pool, definition) in options.Pools)
        {
            if (string.IsNullOrWhiteSpace(pool) || pool.Contains('/', StringComparison.Ordinal))
            {
                failures.Add($"Key pool name '{pool}' is invalid: use a non-empty name without '/', which would read as a managed key reference.");
            }

            if (definition.Keys.Count == 0)
            {
                failures.Add($"Key pool '{pool}' has no keys; list at least one managed key.");
            }
            else if (definition.Keys.Select(k => k.Provider).Distinct().Count() > 1)
            {
                failures.Add($"Key pool '{pool}' mixes providers ({string.Join(", ", definition.Keys.Select(k => k.Provider.Value).Distinct())}); a request can only fail over between keys of one provider.");
            }

            if (definition.Keys.Distinct().Count() != definition.Keys.Count)
            {
                failures.Add($"Key pool '{pool}' lists a key twice.");
            }
        }

        foreach (var (key, limit) in options.RateLimits)
        {
            if (limit.Requests is <= 0 || limit.Tokens is <= 0 || limit.Window <= TimeSpan.Zero || (limit.Requests is null && limit.Tokens is null))
            {
                failures.Add($"Client rate limit of {key} is invalid: set Requests and/or Tokens above zero and a positive Window.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
