using IronCage.Conformance;

namespace IronCage.Rotation.Tests;

public sealed class InMemoryRotationStoreConformanceTests : RotationStoreConformanceTests
{
    protected override IRotationStore CreateStore() => new InMemoryRotationStore();
}
