using IronCage.Testing;
using Xunit.Abstractions;

namespace IronCage.Tests.LeakCheck;

/// <summary>
/// The run's final check: xunit runs a collection with parallelization disabled after every parallel collection of the
/// assembly, so this test sees the log lines of the whole run (captured through <see cref="SecretLeakRegistry.Shared"/>
/// by the assembly's recording logger providers) and every key the run created (<see cref="FakeKeys"/>, the fakes and
/// the emulators record theirs). Linked into each test assembly that logs keys' life cycles.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecretLeakCheckCollection
{
    public const string Name = "Secret leak check (runs after the parallel tests)";
}

[Collection(SecretLeakCheckCollection.Name)]
public sealed class SecretLeakCheck
{
    [Fact]
    public void NoCapturedLogLineOfTheRun_ContainsAKeyTheRunCreated()
    {
        SecretLeakRegistry.Shared.FindLeaks().Should().BeEmpty("no log line of the test run may contain a key value the run created ({0} keys, {1} lines searched)", SecretLeakRegistry.Shared.SecretCount, SecretLeakRegistry.Shared.LineCount);
    }

    [Fact]
    public void TheLeakSearch_FindsAKeyAsIsAndBase64Encoded()
    {
        var registry = new SecretLeakRegistry();
        var key = FakeKeys.GenerateText(ProviderId.OpenRouter);
        var base64 = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(FakeKeys.GenerateText(ProviderId.OpenAI)));
        registry.RecordSecret(key);
        registry.RecordSecret(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
        registry.Capture("Information Test: nothing secret here");
        registry.Capture($"Warning Test: the provider said {key} is wrong");
        registry.Capture($"Warning Test: Authorization: Basic {base64}");

        var leaks = registry.FindLeaks();

        leaks.Should().HaveCount(2);
        leaks.Should().NotContain(l => l.Contains(key, StringComparison.Ordinal), "a leak report never repeats the secret");
    }
}

/// <summary>
/// Orders the collections so that <see cref="SecretLeakCheckCollection"/> comes last among the ones that do not run in
/// parallel (telemetry tests have such collections too), keeping the assembly's order otherwise. Each linking project
/// names it with <c>TestCollectionOrderer</c> (an assembly attribute in its project file).
/// </summary>
public sealed class SecretLeakCheckLastOrderer : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
        => testCollections.OrderBy(c => c.DisplayName == SecretLeakCheckCollection.Name ? 1 : 0);
}
