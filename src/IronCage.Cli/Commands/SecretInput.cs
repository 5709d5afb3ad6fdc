using IronCage.Cli.Hosting;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// Reads a provider key from a file (<c>--from-file</c>) or standard input — never from the command line, where shell
/// history and <c>ps</c> would keep it. A person at a terminal is asked without echo.
/// </summary>
internal static class SecretInput
{
    /// <summary>The longest key accepted (provider keys are a few hundred characters at most).</summary>
    private const int MaxLength = 16 * 1024;

    public static async Task<SecretValue> ReadAsync(CommandScope scope, string? file, string what)
    {
        string text;
        if (file is not null)
        {
            var path = scope.Context.PathFor(file);
            if (!File.Exists(path))
            {
                throw new CliConfigurationException($"The file '{path}' (--from-file) does not exist. Give the file that holds {what}, or leave --from-file out to read it from standard input.");
            }

            if (new FileInfo(path).Length > MaxLength)
            {
                throw new CliConfigurationException($"The file '{path}' is larger than {MaxLength} bytes; it should hold {what} and nothing else.");
            }

            text = await File.ReadAllTextAsync(path, scope.CancellationToken).ConfigureAwait(false);
        }
        else if (scope.Context.InputIsTerminal && scope.Context.OutputIsTerminal)
        {
            text = await new TextPrompt<string>($"Paste {Markup.Escape(what)} (not shown):").Secret(null).ShowAsync(scope.Output.Console, scope.CancellationToken).ConfigureAwait(false);
        }
        else
        {
            var buffer = new char[MaxLength + 1];
            var length = await scope.Context.Input.ReadBlockAsync(buffer.AsMemory(), scope.CancellationToken).ConfigureAwait(false);
            if (length > MaxLength)
            {
                Array.Clear(buffer);
                throw new CliConfigurationException($"Standard input holds more than {MaxLength} characters; it should hold {what} and nothing else.");
            }

            text = new string(buffer, 0, length);
            Array.Clear(buffer);
        }

        // A key has no white space; the newline a file or echo adds is not part of it.
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            throw new CliConfigurationException($"No key was given: pipe {what} into standard input (for example `ironcage keys add openai/prod < key.txt`) or give --from-file.");
        }

        if (trimmed.AsSpan().IndexOfAny("\r\n") >= 0)
        {
            throw new CliConfigurationException($"The input holds more than one line; it should hold {what} and nothing else.");
        }

        return SecretValue.FromString(trimmed);
    }
}
