using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace IronCage.Benchmarks;

/// <summary>
/// Runs IronCage's benchmarks. Examples:
/// <c>dotnet run -c Release --project tests/IronCage.Benchmarks -- --filter *</c>, or a quick pass with
/// <c>-- --filter * --job short</c>. Benchmarks run in process (no generated project to build), which is what
/// this repository's offline machines allow.
/// </summary>
/// <remarks>
/// In-process is asked for on the command line (<c>--inProcess</c>) rather than as a job in the config: a job in the
/// config would be the one that runs, and every job given with <c>--job</c> (short, dry, medium…) would be ignored.
/// </remarks>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Contains("--counts"))
        {
            StoreWriteCounts.RunAsync().GetAwaiter().GetResult();
            return;
        }

        var inProcess = args.Any(a => a is "--inProcess" or "-i");
        var config = DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(inProcess ? args : [.. args, "--inProcess"], config);
    }
}
