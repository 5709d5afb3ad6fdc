using IronCage.Conformance;
using IronCage.Usage;

namespace IronCage.Usage.Tests;

public sealed class InMemoryUsageStoreConformanceTests : UsageStoreConformanceTests
{
    protected override IUsageStore CreateStore() => new InMemoryUsageStore();
}
