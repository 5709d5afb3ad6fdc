using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IronCage.Cli.Tests;

/// <summary>
/// Runs the tool inside a detached tmux session, a real terminal, and captures what it shows while it runs: the way to
/// see a progress bar without a person watching. Besides screenshots taken while it runs, everything the tool writes to
/// the terminal is recorded (<c>tmux pipe-pane</c>, attached before the tool starts), so a live line that was on screen
/// for less than one screenshot interval is still seen.
/// </summary>
internal static partial class TmuxTerminal
{
    /// <summary>Runs <c>ironcage <paramref name="arguments"/></c> in the sandbox's directory and environment; returns the
    /// first screen that <paramref name="isDuringRun"/> accepts, the last screen and the tool's exit line.</summary>
    public static async Task<(string? DuringRun, string Final, string Exit)> RunAsync(CliSandbox sandbox, string arguments, Func<string, bool> isDuringRun)
    {
        var tmux = new[] { "/usr/bin/tmux", "/usr/local/bin/tmux" }.FirstOrDefault(File.Exists);
        tmux.Should().NotBeNull("the terminal tests run the tool inside tmux (.ci/run installs it when missing)");
        var session = "ironcage-" + Guid.NewGuid().ToString("N")[..8];
        var exports = string.Join(' ', sandbox.Environment.Select(e => $"{e.Key}='{e.Value}'"));
        var tool = typeof(CliApplication).Assembly.Location;
        var done = Path.Combine(sandbox.Directory, "done-" + session);
        var go = Path.Combine(sandbox.Directory, "go-" + session);
        var transcript = Path.Combine(sandbox.Directory, "transcript-" + session);
        await RunProcessAsync(tmux!, "new-session", "-d", "-s", session, "-x", "140", "-y", "12", $"while [ ! -f '{go}' ]; do sleep 0.05; done; cd '{sandbox.Directory}' && env {exports} dotnet '{tool}' {arguments}; echo \"exit=$?\" > '{done}'; sleep 60");
        await RunProcessAsync(tmux!, "pipe-pane", "-o", "-t", session, $"cat >> '{transcript}'");
        await File.WriteAllTextAsync(go, string.Empty);
        try
        {
            string? duringRun = null;
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while (!File.Exists(done) && DateTime.UtcNow < deadline)
            {
                var pane = await RunProcessAsync(tmux!, "capture-pane", "-p", "-t", session);
                if (duringRun is null && isDuringRun(pane))
                {
                    duringRun = pane;
                }

                await Task.Delay(25);
            }

            var final = await RunProcessAsync(tmux!, "capture-pane", "-p", "-t", session);
            File.Exists(done).Should().BeTrue("the command finishes");

            // A render the screenshots missed: every line the tool drew, escape sequences removed, in order.
            duringRun ??= Rendered(File.Exists(transcript) ? await File.ReadAllTextAsync(transcript) : string.Empty).FirstOrDefault(isDuringRun);
            return (duringRun, final, (await File.ReadAllTextAsync(done)).Trim());
        }
        finally
        {
            await RunProcessAsync(tmux!, "kill-session", "-t", session);
        }
    }

    private static async Task<string> RunProcessAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static string[] Rendered(string transcript)
        => Escape().Replace(transcript, "\n").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // CSI (cursor moves, colours, erase), OSC (titles, links) and two-character escapes.
    [GeneratedRegex(@"\x1B\[[0-?]*[ -/]*[@-~]|\x1B\][^\x07\x1B]*(\x07|\x1B\\)|\x1B[@-Z\\-_]")]
    private static partial Regex Escape();
}
