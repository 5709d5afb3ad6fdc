using System.Collections;

namespace IronCage.Cli;

/// <summary>What a run of the tool reads and writes: its arguments, streams, environment and working directory.</summary>
/// <param name="Args">The command line, without the program name.</param>
/// <param name="Input">Standard input (secrets are read from here or from a file, never from <paramref name="Args"/>).</param>
/// <param name="Output">Standard output: tables, or JSON with <c>--json</c>.</param>
/// <param name="Error">Standard error: errors and warnings.</param>
/// <param name="Environment">The environment variables the run sees.</param>
/// <param name="WorkingDirectory">Where relative paths (<c>appsettings.json</c>, files) are resolved.</param>
/// <param name="InputIsTerminal">Whether standard input is a person at a terminal (prompts are allowed) rather than a pipe or file.</param>
/// <param name="OutputIsTerminal">Whether standard output is a terminal (colours and live progress are allowed).</param>
internal sealed record CliContext(
    IReadOnlyList<string> Args,
    TextReader Input,
    TextWriter Output,
    TextWriter Error,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    bool InputIsTerminal,
    bool OutputIsTerminal)
{
    /// <summary>The context of this process.</summary>
    public static CliContext FromProcess(string[] args)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                environment[name] = value;
            }
        }

        return new CliContext(
            args,
            Console.In,
            Console.Out,
            Console.Error,
            environment,
            Directory.GetCurrentDirectory(),
            !Console.IsInputRedirected,
            !Console.IsOutputRedirected);
    }

    /// <summary>Gets an environment variable, or <see langword="null"/> when it is unset or empty.</summary>
    public string? Variable(string name) => Environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>Resolves <paramref name="path"/> against the working directory.</summary>
    public string PathFor(string path) => Path.GetFullPath(path, WorkingDirectory);
}
