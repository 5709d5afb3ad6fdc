using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>What a strategy works on: the operation, the managed key as last read, and the provider's adapter.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Key">The managed key.</param>
/// <param name="Adapter">The provider adapter, if one is registered.</param>
internal readonly record struct RotationStrategyContext(RotationOperation Operation, ManagedKey Key, IProviderAdapter? Adapter)
{
    public ProviderKeyContext Provider => ProviderKeyContext.For(Key);

    public IProviderAdapter RequireAdapter()
        => Adapter ?? throw new IronCageException($"No provider adapter is registered for '{Key.Provider}'. Add the provider's IronCage package (for example AddOpenAI) or register an IProviderAdapter.");
}
