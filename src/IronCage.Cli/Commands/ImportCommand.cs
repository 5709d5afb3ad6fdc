using System.CommandLine;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Providers;
using IronCage.Secrets;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage import</c>: imports the keys a deployment already has — environment variables (and Docker
/// <c>_FILE</c> variables), a <c>.env</c> file, a key-per-file directory — as managed keys, with a per-key report.
/// Exits 1 when any entry is invalid, 3 when some could not be verified, 0 otherwise.
/// </summary>
internal static class ImportCommand
{
    public static Command Build(CliGlobals globals)
    {
        var env = new Option<bool>("--env") { Description = "Import from this process's environment variables, and from the files their <NAME>_FILE variables name." };
        var dotenv = new Option<string[]>("--dotenv") { Description = "Import from a .env file (repeatable).", AllowMultipleArgumentsPerToken = false };
        var dir = new Option<string[]>("--dir") { Description = "Import from a key-per-file directory: Docker secrets (/run/secrets) or a mounted Kubernetes Secret (repeatable)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Detect, validate, verify and report, but import nothing." };
        var noVerify = new Option<bool>("--no-verify") { Description = "Do not verify keys at their providers before importing them." };
        var expand = new Option<bool>("--expand") { Description = "Expand ${NAME} in .env values (off by default: a key is read as written)." };
        var label = new Option<string[]>("--label") { Description = "A label for every imported key, name=value (repeatable)." };
        var scopeEntry = new Option<string[]>("--scope") { Description = "A scope entry for every imported key, name=value (repeatable), e.g. project_id=proj_abc for OpenAI project keys when OPENAI_PROJECT_ID is not next to the key." };
        var command = new Command("import", "Import existing keys from environment variables, .env files and secrets directories (never echoes a value).") { env, dotenv, dir, dryRun, noVerify, expand, label, scopeEntry };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var catalog = scope.Get<IProviderCatalog>();
            var sources = new List<IKeySource>();
            if (parsed.GetValue(env))
            {
                var variables = new DictionaryEnvironmentVariables(scope.Context.Environment);
                sources.Add(new EnvironmentKeySource(catalog, variables));
                sources.Add(new EnvironmentFileKeySource(catalog, variables));
            }

            foreach (var file in parsed.GetValue(dotenv) ?? [])
            {
                sources.Add(new DotEnvKeySource(scope.Context.PathFor(file), catalog, new DotEnvKeySourceOptions { ExpandVariables = parsed.GetValue(expand) }));
            }

            foreach (var directory in parsed.GetValue(dir) ?? [])
            {
                sources.Add(new KeyPerFileKeySource(scope.Context.PathFor(directory), catalog));
            }

            if (sources.Count == 0)
            {
                throw new CliConfigurationException("Say where to import from: --env, --dotenv <file> or --dir <path> (any of them, repeatable).");
            }

            var options = new KeyImportOptions { DryRun = parsed.GetValue(dryRun), Verify = !parsed.GetValue(noVerify), Actor = scope.Actor };
            foreach (var (name, value) in KeysCommands.ParsePairs(parsed.GetValue(label), "--label"))
            {
                options.Labels[name] = value;
            }

            var scopeEntries = KeysCommands.ParsePairs(parsed.GetValue(scopeEntry), "--scope");
            if (scopeEntries.Count > 0)
            {
                options.Scope = (_, _) => scopeEntries;
            }

            var importer = scope.Get<IKeyImporter>();
            var reports = new List<KeyImportReport>();
            await CountingProgress.RunAsync(scope.Output, options.DryRun ? "Checking" : "Importing", "keys", async advanced =>
            {
                foreach (var source in sources)
                {
                    try
                    {
                        // The importer handles each candidate as the source yields it, so counting the yields follows its progress.
                        reports.Add(await importer.ImportAsync(new CountedKeySource(source, advanced), options, scope.CancellationToken).ConfigureAwait(false));
                    }
                    catch (KeySourceException exception)
                    {
                        scope.Output.Error(exception.Message);
                        reports.Add(new KeyImportReport
                        {
                            Source = source.Name,
                            DryRun = options.DryRun,
                            Entries = [new KeyImportEntry { Origin = source.Name, Status = KeyImportStatus.Invalid, DisplayHint = "—", Reason = exception.Message }],
                        });
                    }
                }
            }).ConfigureAwait(false);

            var entries = reports.SelectMany(r => r.Entries).ToList();
            var json = new
            {
                dryRun = options.DryRun,
                imported = entries.Count(e => e.Status == KeyImportStatus.Imported),
                alreadyManaged = entries.Count(e => e.Status == KeyImportStatus.AlreadyManaged),
                invalid = entries.Count(e => e.Status == KeyImportStatus.Invalid),
                unverifiable = entries.Count(e => e.Status == KeyImportStatus.Unverifiable),
                unknownProvider = entries.Count(e => e.Status == KeyImportStatus.UnknownProvider),
                entries = entries.Select(e => new
                {
                    origin = e.Origin,
                    status = e.Status.ToString(),
                    provider = e.Provider?.Value,
                    kind = e.Kind.ToString(),
                    key = e.Reference?.ToString(),
                    hint = e.DisplayHint,
                    reason = e.Reason,
                }).ToList(),
            };
            scope.Output.Write(json, console =>
            {
                console.Write(CliOutput.Table(
                    ["Origin", "Status", "Provider", "Key", "Hint", "Reason"],
                    json.entries.Select(e => new[] { e.origin, Status(e.status, options.DryRun), e.provider, e.key, e.hint, e.reason })));
                console.WriteLine($"{(options.DryRun ? "Dry run, nothing imported: " : string.Empty)}{json.imported} {(options.DryRun ? "would be imported" : "imported")}, {json.alreadyManaged} already managed, {json.invalid} invalid, {json.unverifiable} unverifiable, {json.unknownProvider} unknown provider.");
            });
            return json.invalid > 0 ? ExitCodes.Failure : json.unverifiable > 0 ? ExitCodes.Partial : ExitCodes.Ok;
        });
        return command;
    }

    private sealed class CountedKeySource(IKeySource inner, Action advanced) : IKeySource
    {
        public string Name => inner.Name;

        public async IAsyncEnumerable<KeyCandidate> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var candidate in inner.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return candidate;
                advanced();
            }
        }
    }

    private static string Status(string status, bool dryRun) => dryRun && status == nameof(KeyImportStatus.Imported) ? "Would import" : status;
}
