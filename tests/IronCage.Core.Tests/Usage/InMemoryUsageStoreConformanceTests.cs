using IronCage.Conformance;

namespace IronCage.Core.Tests.Usage;

public sealed class InMemoryUsageStoreConformanceTests : UsageStoreConformanceTests
{
    protected override IUsageStore CreateStore() => new InMemoryUsageStore();
}
