using Microsoft.Extensions.Compliance.Classification;

namespace IronCage.Leaks.Redaction;

/// <summary>
/// Marks a logged parameter or property as <see cref="IronCageDataClassifications.Secret"/>: with redaction enabled
/// (<c>EnableRedaction()</c>) and <c>AddIronCageRedactor()</c>, every provider key and managed key value in it is
/// replaced before any log provider sees it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter | AttributeTargets.ReturnValue, AllowMultiple = false)]
public sealed class SecretDataAttribute : DataClassificationAttribute
{
    /// <summary>Creates the attribute.</summary>
    public SecretDataAttribute()
        : base(IronCageDataClassifications.Secret)
    {
    }
}
