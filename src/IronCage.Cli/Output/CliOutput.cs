using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace IronCage.Cli.Output;

/// <summary>
/// Where a command's results go: Spectre.Console tables and lines for people (colours only on a terminal that
/// supports them; <c>NO_COLOR</c> is honoured), or one JSON document on standard output with <c>--json</c>. Errors go
/// to standard error either way.
/// </summary>
internal sealed class CliOutput
{
    private static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Standard output is not HTML: hints keep their ellipsis (gsk…3bb9) instead of \u2026.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    private readonly CliContext _context;

    public CliOutput(CliContext context, bool json)
    {
        _context = context;
        Json = json;
        var terminal = context.OutputIsTerminal && context.Variable("NO_COLOR") is null;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = context.InputIsTerminal && context.OutputIsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(context.Output),
        });
        if (!context.OutputIsTerminal)
        {
            // A pipe or a file has no width: keep table rows on one line for grep and friends.
            Console.Profile.Width = 240;
        }
    }

    /// <summary>Gets a value indicating whether results are written as JSON.</summary>
    public bool Json { get; }

    /// <summary>Gets the console for people (tables, progress); not used with <c>--json</c>.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Writes <paramref name="value"/> as the run's JSON document.</summary>
    public void WriteJson(object value) => _context.Output.WriteLine(JsonSerializer.Serialize(value, value.GetType(), JsonOptions));

    /// <summary>Writes the result: <paramref name="json"/> with <c>--json</c>, else what <paramref name="human"/> renders.</summary>
    public void Write(object json, Action<IAnsiConsole> human)
    {
        if (Json)
        {
            WriteJson(json);
        }
        else
        {
            human(Console);
        }
    }

    /// <summary>Writes a plain line for people (with <c>--json</c>, nothing).</summary>
    public void Line(string text)
    {
        if (!Json)
        {
            Console.WriteLine(text);
        }
    }

    /// <summary>Writes an error to standard error.</summary>
    public void Error(string message) => _context.Error.WriteLine("error: " + message);

    /// <summary>Writes a warning to standard error.</summary>
    public void Warning(string message) => _context.Error.WriteLine("warning: " + message);

    /// <summary>A table with <paramref name="columns"/> and one row per item of <paramref name="rows"/>; cells are plain text.</summary>
    public static Table Table(IEnumerable<string> columns, IEnumerable<IEnumerable<string?>> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell ?? "—")).ToArray());
        }

        return table;
    }

    /// <summary>A two-column table of names and values, for one item's details.</summary>
    public static Table Details(IEnumerable<(string Name, string? Value)> rows)
    {
        var table = new Table().Border(TableBorder.None).HideHeaders();
        table.AddColumn(new TableColumn(string.Empty));
        table.AddColumn(new TableColumn(string.Empty));
        foreach (var (name, value) in rows)
        {
            table.AddRow(new Text(name), new Text(value ?? "—"));
        }

        return table;
    }
}
