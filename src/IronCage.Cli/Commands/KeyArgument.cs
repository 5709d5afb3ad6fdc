using System.CommandLine;

namespace IronCage.Cli.Commands;

/// <summary>The <c>provider/name</c> argument of the key commands, checked while parsing (a bad one is a usage error).</summary>
internal static class KeyArgument
{
    public static Argument<KeyReference> Create() => new("key")
    {
        Description = "The managed key, as provider/name (for example openai/prod).",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (KeyReference.TryParse(text, out var reference))
            {
                return reference;
            }

            result.AddError($"'{(text.Length > 80 ? text[..80] + "…" : text)}' is not a managed key: write it as provider/name, for example openai/prod.");
            return default;
        },
    };
}
