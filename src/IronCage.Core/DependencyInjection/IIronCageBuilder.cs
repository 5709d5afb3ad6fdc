using Microsoft.Extensions.DependencyInjection;

namespace IronCage;

/// <summary>Returned by <c>AddIronCage()</c>; storage, encryption, provider and scheduler packages extend it.</summary>
public interface IIronCageBuilder
{
    /// <summary>Gets the service collection IronCage is registered in.</summary>
    IServiceCollection Services { get; }
}
