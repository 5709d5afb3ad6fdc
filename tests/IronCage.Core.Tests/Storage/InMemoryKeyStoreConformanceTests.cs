using IronCage.Conformance;

namespace IronCage.Core.Tests.Storage;

public sealed class InMemoryKeyStoreConformanceTests : KeyStoreConformanceTests
{
    protected override IKeyStore CreateStore() => new InMemoryKeyStore();
}
