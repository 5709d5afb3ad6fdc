using Microsoft.Extensions.DependencyInjection;

namespace IronCage;

internal sealed class IronCageBuilder : IIronCageBuilder
{
    public IronCageBuilder(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }
}
