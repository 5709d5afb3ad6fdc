using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace IronCage.Benchmarks;

/// <summary>
/// Runs IronCage's benchmarks. Examples:
/// <c>dotnet run -c Release --project tests/IronCage.Benchmarks -- --filter *</c>, or a quick pass with
/// <c>-- --filter * --job short</c>. Benchmarks run in process (no generated project to build), which is what
/// this repository's offline machines allow.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
