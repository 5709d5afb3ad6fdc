using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace IronCage.Leaks.Scanning;

/// <summary>
/// Reads <c>git log --all -p --unified=0</c> as a stream and scans every added line with its commit, file and line
/// number in the new file. git's output is never held whole; only the current line is.
/// </summary>
/// <remarks>
/// The git command line rather than LibGit2Sharp: it needs no native library per platform, keeps the package
/// AOT-compatible, and is already on every machine that has a repository to scan.
/// </remarks>
internal sealed class GitHistoryScan(LeakScanner scanner, string repository)
{
    private const char CommitMarker = '\u0001';

    public async IAsyncEnumerable<LeakFinding> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var git = Start();
        var stderr = git.StandardError.ReadToEndAsync(cancellationToken);
        using var kill = cancellationToken.Register(static p => TryKill((Process)p!), git);
        var findings = new List<LeakFinding>();
        string? commit = null;
        string? file = null;
        var newLine = 0;
        var remainingNew = 0;
        var remainingOld = 0;
        while (await git.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (remainingNew > 0 || remainingOld > 0)
            {
                // Inside a hunk (no context lines with --unified=0): '-' lines are old, '+' lines are added.
                if (line.StartsWith('+') && remainingNew > 0)
                {
                    remainingNew--;
                    findings.Clear();
                    scanner.ScanLine(line.AsSpan(1), newLine, file, commit, findings);
                    scanner.Meter?.AddCharacters(line.Length - 1);
                    newLine++;
                    foreach (var finding in findings)
                    {
                        yield return finding;
                    }
                }
                else if (line.StartsWith('-') && remainingOld > 0)
                {
                    remainingOld--;
                }
                else if (line.StartsWith('\\'))
                {
                    // "\ No newline at end of file".
                }
                else
                {
                    remainingNew = remainingOld = 0;
                }

                if (remainingNew > 0 || remainingOld > 0)
                {
                    continue;
                }
            }

            if (line.Length > 0 && line[0] == CommitMarker)
            {
                commit = line[1..].Trim();
                file = null;
                scanner.Meter?.CommitStarted();
            }
            else if (line.StartsWith("+++ ", StringComparison.Ordinal))
            {
                var target = line[4..];
                file = target == "/dev/null" ? null : target.StartsWith("b/", StringComparison.Ordinal) ? target[2..] : target;
            }
            else if (line.StartsWith("@@ ", StringComparison.Ordinal) && TryParseHunk(line, out var oldCount, out var start, out var newCount))
            {
                newLine = start;
                remainingOld = oldCount;
                remainingNew = newCount;
            }
        }

        scanner.Meter?.Flush();
        await git.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (git.ExitCode != 0)
        {
            throw new LeakScanException($"git log failed in '{repository}' (exit code {git.ExitCode}): {errors.Trim()} Check that the path is a git repository.");
        }
    }

    // @@ -12,3 +14,5 @@ (a count is omitted when it is 1).
    private static bool TryParseHunk(string line, out int oldCount, out int newStart, out int newCount)
    {
        oldCount = newStart = newCount = 0;
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[1].Length < 2 || parts[2].Length < 2)
        {
            return false;
        }

        return TryRange(parts[1].AsSpan(1), out _, out oldCount) && TryRange(parts[2].AsSpan(1), out newStart, out newCount);
    }

    private static bool TryRange(ReadOnlySpan<char> range, out int start, out int count)
    {
        var comma = range.IndexOf(',');
        count = 1;
        return comma < 0
            ? int.TryParse(range, NumberStyles.None, CultureInfo.InvariantCulture, out start)
            : int.TryParse(range[..comma], NumberStyles.None, CultureInfo.InvariantCulture, out start)
              && int.TryParse(range[(comma + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out count);
    }

    private Process Start()
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in new[]
                 {
                     "-C", repository, "-c", "core.quotePath=false", "log", "--all", "-p", "--no-color", "--no-ext-diff",
                     "--no-textconv", "--unified=0", "--no-renames", "--format=%x01%H", "--",
                 })
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(info) ?? throw new LeakScanException("git could not be started. Install git and put it on the PATH.");
        }
        catch (Win32Exception ex)
        {
            throw new LeakScanException("git could not be started. Install git and put it on the PATH.", ex);
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
