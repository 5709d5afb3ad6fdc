using IronCage.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Rotation.Tests;

/// <summary>The in-memory stores, written one after the other by <see cref="SequentialRotationStepStore"/>.</summary>
public sealed class InMemoryRotationStepStoreConformanceTests : RotationStepStoreConformanceTests
{
    protected override bool IsAtomic => false;

    protected override ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        AddIronCageWithRotation(services);
        return services;
    }

    [Fact]
    public void AddRotation_InMemoryStores_WritesStepsOneStoreAfterTheOther()
    {
        using var provider = CreateServices().BuildServiceProvider();

        provider.GetRequiredService<IRotationStepStore>().Should().BeOfType<SequentialRotationStepStore>();
    }
}
