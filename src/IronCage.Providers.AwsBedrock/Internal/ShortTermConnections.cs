using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.AwsBedrock;

/// <summary>A registered source of short-term keys (one <c>AddAwsBedrockShortTermKeys</c> call).</summary>
internal sealed record ShortTermConnectionName(string Name);

/// <summary>Picks the short-term key source of a managed key: the one its <c>connection</c> scope entry names, or the only one.</summary>
internal sealed class ShortTermConnections(IEnumerable<ShortTermConnectionName> names, IOptionsMonitor<AwsBedrockShortTermOptions> options)
{
    private readonly FrozenSet<string> _names = names.Select(n => n.Name).ToFrozenSet(StringComparer.Ordinal);

    public (string Name, AwsBedrockShortTermOptions Options) Select(ProviderKeyContext context)
    {
        if (context.ConnectionName is { } requested)
        {
            return _names.Contains(requested)
                ? (requested, options.Get(requested))
                : throw new IronCageException($"Managed key '{context.Key}' asks for the AWS Bedrock short-term key source '{requested}', but the registered ones are: {Describe()}. Register it with AddAwsBedrockShortTermKeys(\"{requested}\", …) or fix the key's '{ProviderKeyContext.ConnectionScopeKey}' scope entry.");
        }

        return _names.Count switch
        {
            1 => (_names.First(), options.Get(_names.First())),
            0 => throw new IronCageException("No AWS Bedrock short-term key source is registered. Call AddAwsBedrockShortTermKeys(name, options) when adding IronCage."),
            _ => throw new IronCageException($"Managed key '{context.Key}' does not say which AWS Bedrock short-term key source signs it, and several are registered ({Describe()}). Set its '{ProviderKeyContext.ConnectionScopeKey}' scope entry to one of them."),
        };
    }

    private string Describe() => _names.Count == 0 ? "none" : string.Join(", ", _names.Order(StringComparer.Ordinal).Select(n => $"'{n}'"));
}
