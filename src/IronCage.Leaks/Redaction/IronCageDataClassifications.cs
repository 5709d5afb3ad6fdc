using Microsoft.Extensions.Compliance.Classification;

namespace IronCage.Leaks.Redaction;

/// <summary>IronCage's data classification taxonomy, for <c>Microsoft.Extensions.Compliance</c> redaction.</summary>
public static class IronCageDataClassifications
{
    /// <summary>The name of the taxonomy.</summary>
    public const string TaxonomyName = "IronCage";

    /// <summary>Gets the classification of values that may carry a provider API key: prompts, tool output, request bodies, headers.</summary>
    public static DataClassification Secret { get; } = new(TaxonomyName, nameof(Secret));
}
