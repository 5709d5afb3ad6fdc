using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace IronCage.Usage.Pricing;

/// <summary>Prices of models per provider, versioned by effective date.</summary>
public interface IPriceCatalog
{
    /// <summary>Gets the catalog's version, for reports and logs.</summary>
    string Version { get; }

    /// <summary>Gets the currency every price of the catalog is in.</summary>
    string Currency { get; }

    /// <summary>Gets every entry, ordered by provider, model and effective date.</summary>
    IReadOnlyList<ModelPrice> Prices { get; }

    /// <summary>Finds the price in effect for a model at an instant.</summary>
    /// <param name="provider">The provider.</param>
    /// <param name="model">The model as the call named it; a dated snapshot such as <c>gpt-4o-2024-08-06</c> falls back to its base model.</param>
    /// <param name="at">When the call happened.</param>
    /// <param name="price">The entry in effect, when found.</param>
    /// <returns><see langword="true"/> if the model has a price in effect at <paramref name="at"/>.</returns>
    bool TryGetPrice(ProviderId provider, string? model, Instant at, [NotNullWhen(true)] out ModelPrice? price);
}
