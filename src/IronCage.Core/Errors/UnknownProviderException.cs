namespace IronCage;

/// <summary>A provider id is not in the provider catalog.</summary>
public sealed class UnknownProviderException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="provider">The unknown provider id.</param>
    public UnknownProviderException(ProviderId provider)
        : base($"Provider '{provider}' is not in the IronCage provider catalog. Use one of the built-in ids (see ProviderId) or register a descriptor with IronCageOptions.AddProvider(...).")
    {
        Provider = provider;
    }

    /// <summary>Gets the provider id that was not found.</summary>
    public ProviderId Provider { get; }
}
