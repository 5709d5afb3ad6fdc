using IronCage.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Rotation.Tests;

public sealed class InMemoryInstanceHeartbeatStoreConformanceTests : InstanceHeartbeatStoreConformanceTests
{
    protected override ServiceCollection CreateServices()
    {
        var services = new ServiceCollection();
        AddIronCageWithRotation(services);
        return services;
    }
}
