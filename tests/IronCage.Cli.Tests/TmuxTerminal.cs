using System.Diagnostics;

namespace IronCage.Cli.Tests;

/// <summary>
/// Runs the tool inside a detached tmux session, a real terminal, and captures what it shows while it runs: the way to
/// see a progress bar without a person watching.
/// </summary>
internal static class TmuxTerminal
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
        await RunProcessAsync(tmux!, "new-session", "-d", "-s", session, "-x", "140", "-y", "12", $"cd '{sandbox.Directory}' && env {exports} dotnet '{tool}' {arguments}; echo \"exit=$?\" > '{done}'; sleep 60");
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

                await Task.Delay(100);
            }

            var final = await RunProcessAsync(tmux!, "capture-pane", "-p", "-t", session);
            File.Exists(done).Should().BeTrue("the command finishes");
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
}
