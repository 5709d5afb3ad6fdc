using BenchmarkDotNet.Attributes;
using IronCage.Providers;

namespace IronCage.Benchmarks;

/// <summary>Looking a provider up in the built-in catalog, by id and from text.</summary>
[MemoryDiagnoser]
public class CatalogBenchmarks
{
    private readonly ProviderCatalog _catalog = ProviderCatalog.BuiltIn;
    private readonly ProviderId _id = ProviderId.Anthropic;

    [Benchmark(Baseline = true)]
    public ProviderDescriptor GetDescriptor() => _catalog.GetDescriptor(_id);

    [Benchmark]
    public bool TryGetDescriptor() => _catalog.TryGetDescriptor(_id, out _);

    [Benchmark]
    public ProviderDescriptor ParseThenGetDescriptor() => _catalog.GetDescriptor(ProviderId.Parse("anthropic"));
}
