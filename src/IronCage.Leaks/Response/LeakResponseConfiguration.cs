using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IronCage.Leaks.Response;

/// <summary>
/// Reads leak response policies from a configuration section: <c>DefaultPolicy</c> and <c>Policies</c>, whose entries
/// are keyed by the managed key (<c>openai/prod</c>) with a <see cref="LeakResponsePolicy"/> name as the value. A key
/// or a policy that does not parse stops the host at start-up with what to write instead.
/// </summary>
internal sealed class LeakResponseConfiguration(IConfiguration section) : IConfigureOptions<LeakResponseOptions>
{
    public void Configure(LeakResponseOptions options)
    {
        var errors = new List<string>();
        var path = section is IConfigurationSection named ? named.Path + ":" : string.Empty;
        if (section["DefaultPolicy"] is { } defaultPolicy)
        {
            if (TryParsePolicy(defaultPolicy, out var policy))
            {
                options.DefaultPolicy = policy;
            }
            else
            {
                errors.Add($"{path}DefaultPolicy is '{defaultPolicy}': use {Choices}.");
            }
        }

        foreach (var entry in section.GetSection("Policies").GetChildren())
        {
            if (!KeyReference.TryParse(entry.Key, out var key))
            {
                errors.Add($"{path}Policies has the entry '{entry.Key}', which is not a managed key: name it 'provider/name', such as 'openai/prod'.");
            }
            else if (!TryParsePolicy(entry.Value, out var policy))
            {
                errors.Add($"{path}Policies:{entry.Key} is '{entry.Value}': use {Choices}.");
            }
            else
            {
                options.Policies[key] = policy;
            }
        }

        if (errors.Count != 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LeakResponseOptions), errors);
        }
    }

    private static string Choices => string.Join(", ", Enum.GetNames<LeakResponsePolicy>());

    private static bool TryParsePolicy(string? value, out LeakResponsePolicy policy) =>
        Enum.TryParse(value, ignoreCase: true, out policy) && Enum.IsDefined(policy) && !int.TryParse(value, out _);
}
