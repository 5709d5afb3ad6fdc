using System.Diagnostics;

namespace IronCage.Packaging.Tests;

/// <summary>Runs <c>dotnet</c> and other programs as child processes, the same way whether or not the test runs in CI.</summary>
internal static class DotnetCli
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(4);

    public static Task<string> RunDotnetAsync(string workingDirectory, params string[] arguments)
        => RunAsync("dotnet", workingDirectory, DefaultTimeout, environment: null, arguments);

    public static async Task<string> RunAsync(string program, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Behave the same whether or not the test runs in CI, and leave no build servers behind.
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && k != "MSBUILDDISABLENODEREUSE").ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        var output = await stdout + await stderr;
        process.ExitCode.Should().Be(0, $"{program} {string.Join(' ', arguments)} in {workingDirectory} should succeed:\n{output}");
        return output;
    }
}
