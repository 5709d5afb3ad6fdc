using System.CommandLine;
using IronCage.Leaks.Reports;
using IronCage.Leaks.Response;
using IronCage.Leaks.Scanning;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage scan</c>: the leak scanner over a file, a directory, a git history or a trufflehog/gitleaks report,
/// each finding matched to the store's managed keys by fingerprint. Prints hints, never a value.
/// </summary>
internal static class ScanCommand
{
    public static Command Build(CliGlobals globals)
    {
        var path = new Argument<string?>("path") { Description = "The file or directory to scan (the repository with --git).", Arity = ArgumentArity.ZeroOrOne };
        var git = new Option<bool>("--git") { Description = "Scan the lines every commit of the repository at <path> added (all refs), not the files as they are." };
        var report = new Option<string[]?>("--report") { Description = "Read a report instead: 'trufflehog FILE' (JSON lines) or 'gitleaks FILE' (JSON array).", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var respond = new Option<bool>("--respond") { Description = "Run the leak response policy for every finding (alert, emergency rotation or revoke-first rotation) and audit key.leaked." };
        var command = new Command("scan", "Find provider API keys in files, directories, git history or scanner reports and tell which are managed keys (current, previous, retired) and which are unknown. Exit 0 when nothing is found, 3 when something is.") { path, git, report, respond };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var target = parsed.GetValue(path);
            var reportArgs = parsed.GetValue(report) is { Length: 2 } given ? given : null;
            if (reportArgs is null && string.IsNullOrEmpty(target))
            {
                throw new CliConfigurationException("Give the file or directory to scan, or --report trufflehog|gitleaks FILE.");
            }

            var findings = new List<LeakFinding>();
            var meter = new ScanMeterDisplay();
            var scanner = scope.Get<LeakScanner>().WithProgress(meter);
            var source = reportArgs is not null ? reportArgs[0] : parsed.GetValue(git) ? "git-history" : "scan";
            await CountingProgress.RunAsync(scope.Output, elapsed => meter.Describe(elapsed, findings.Count), async refresh =>
            {
                meter.Changed = refresh;
                await foreach (var finding in Findings(scanner, target, parsed.GetValue(git), reportArgs, scope.CancellationToken).ConfigureAwait(false))
                {
                    findings.Add(finding);
                    refresh();
                }
            }).ConfigureAwait(false);

            var responses = new Dictionary<LeakFinding, LeakResponse>();
            if (parsed.GetValue(respond))
            {
                var responder = scope.Get<LeakResponder>();
                foreach (var finding in findings)
                {
                    responses[finding] = await responder.HandleAsync(finding, "cli-" + source, scope.CancellationToken).ConfigureAwait(false);
                }
            }

            var json = findings.Select(f => new
            {
                provider = f.Provider.Value,
                classification = Classification(f.Classification),
                key = f.ManagedKey?.ToString(),
                version = f.VersionId,
                hint = f.Hint,
                path = f.Location.Path,
                line = f.Location.Line,
                column = f.Location.Column,
                commit = f.Location.Commit,
                fingerprint = f.Fingerprint,
                response = responses.TryGetValue(f, out var r) ? r.Outcome.ToString() : null,
                operationId = responses.TryGetValue(f, out var o) ? o.OperationId : null,
            }).ToList();
            scope.Output.Write(new { findings = json, total = json.Count }, console =>
            {
                if (json.Count != 0)
                {
                    console.Write(CliOutput.Table(
                        ["Provider", "Classification", "Key", "Hint", "Location", "Response"],
                        json.Select((f, i) => new[] { f.provider, f.classification, f.key, f.hint, findings[i].Location.ToString(), f.response })));
                }

                console.WriteLine(json.Count == 0 ? "No keys found." : $"{json.Count} key(s) found.");
            });
            return json.Count == 0 ? ExitCodes.Ok : ExitCodes.Partial;
        });
        return command;
    }

    private static IAsyncEnumerable<LeakFinding> Findings(LeakScanner scanner, string? target, bool git, string[]? report, CancellationToken cancellationToken)
    {
        if (report is not null)
        {
            return Report(scanner, report[0], report[1], cancellationToken);
        }

        if (git)
        {
            return scanner.ScanGitHistoryAsync(target!, cancellationToken);
        }

        if (Directory.Exists(target))
        {
            return scanner.ScanDirectoryAsync(target, cancellationToken);
        }

        return File.Exists(target)
            ? scanner.ScanFileAsync(target, Path.GetFileName(target), cancellationToken)
            : throw new CliConfigurationException($"'{target}' is neither a file nor a directory.");
    }

    private static async IAsyncEnumerable<LeakFinding> Report(LeakScanner scanner, string format, string file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            throw new CliConfigurationException($"The report file '{file}' does not exist.");
        }

        var reader = new LeakReportReader(scanner);
        var stream = File.OpenRead(file);
        await using (stream.ConfigureAwait(false))
        {
            var findings = format.ToUpperInvariant() switch
            {
                "TRUFFLEHOG" => reader.ReadTrufflehogAsync(stream, cancellationToken),
                "GITLEAKS" => reader.ReadGitleaksAsync(stream, cancellationToken),
                _ => throw new CliConfigurationException($"Unknown report format '{format}': use trufflehog or gitleaks."),
            };
            await foreach (var finding in findings.ConfigureAwait(false))
            {
                yield return finding;
            }
        }
    }

    /// <summary>
    /// The scan's live line: <c>Scanning: 12.3 MB of text (45.6 MB/s), 120 files; 2 keys found</c> (commits instead of
    /// files for a history). Characters are counted as the scanner reads them; for ASCII text that is the bytes.
    /// </summary>
    internal sealed class ScanMeterDisplay : IProgress<LeakScanProgress>
    {
        private LeakScanProgress _latest;

        public Action? Changed { get; set; }

        public void Report(LeakScanProgress value)
        {
            _latest = value;
            Changed?.Invoke();
        }

        public string Describe(TimeSpan elapsed, int keys)
        {
            var latest = _latest;
            var megabytes = latest.CharactersScanned / 1_000_000.0;
            var rate = elapsed.TotalSeconds <= 0 ? 0 : megabytes / elapsed.TotalSeconds;
            var units = latest.CommitsScanned > 0 ? $"{latest.CommitsScanned:N0} commits" : $"{latest.FilesScanned:N0} files";
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Scanning: {megabytes:0.0} MB of text ({rate:0.0} MB/s), {units}; {keys:N0} keys found");
        }
    }

    private static string Classification(LeakClassification classification) => classification switch
    {
        LeakClassification.ManagedCurrent => "managed-current",
        LeakClassification.ManagedPrevious => "managed-previous",
        LeakClassification.Retired => "retired",
        _ => "unknown",
    };
}
