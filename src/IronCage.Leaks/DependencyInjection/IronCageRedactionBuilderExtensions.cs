using IronCage.Leaks.Redaction;
using IronCage.Leaks.Scanning;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Compliance.Redaction;

/// <summary>Adds IronCage's key redactor to <c>Microsoft.Extensions.Compliance</c> redaction.</summary>
public static class IronCageRedactionBuilderExtensions
{
    /// <summary>
    /// Redacts values of the given classifications (<see cref="IronCageDataClassifications.Secret"/>, the
    /// <see cref="SecretDataAttribute"/>, when none are given): every provider key shape and every managed key's value
    /// in them becomes <c>[REDACTED]</c>, the rest of the value stays. Managed keys are matched by keyed fingerprint,
    /// so the redactor holds no key value; it needs IronCage's store and fingerprinter (<c>AddIronCage()</c>).
    /// </summary>
    /// <param name="builder">The redaction builder (<c>services.AddRedaction(r => r.AddIronCageRedactor())</c>).</param>
    /// <param name="classifications">The classifications to redact with it.</param>
    /// <returns>The builder.</returns>
    public static IRedactionBuilder AddIronCageRedactor(this IRedactionBuilder builder, params DataClassificationSet[] classifications)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(classifications);
        builder.Services.TryAddSingleton<ManagedKeyScannerSource>();
        return builder.SetRedactor<KeyValueRedactor>(classifications.Length == 0 ? [new DataClassificationSet(IronCageDataClassifications.Secret)] : classifications);
    }
}
