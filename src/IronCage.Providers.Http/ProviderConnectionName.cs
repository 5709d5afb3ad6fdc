using System.Diagnostics.CodeAnalysis;

namespace IronCage.Providers.Http;

/// <summary>The name of one provider connection registered with <c>Add&lt;Provider&gt;(name, …)</c>; one service entry per name.</summary>
/// <typeparam name="TOptions">The provider's options type: names are per provider.</typeparam>
/// <param name="Name">The connection's name.</param>
public sealed record ProviderConnectionName<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(string Name)
    where TOptions : ProviderHttpOptions;
