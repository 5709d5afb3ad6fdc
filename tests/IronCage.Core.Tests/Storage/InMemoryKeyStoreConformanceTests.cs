using IronCage.Conformance;
using IronCage.Storage;

namespace IronCage.Core.Tests.Storage;

public sealed class InMemoryKeyStoreConformanceTests : KeyStoreConformanceTests
{
    protected override IKeyStore CreateStore() => new InMemoryKeyStore();
}
