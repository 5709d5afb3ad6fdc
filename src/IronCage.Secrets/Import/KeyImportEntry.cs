using System.Globalization;
using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>One line of a <see cref="KeyImportReport"/>: where a candidate was found and what became of it. Never holds its value.</summary>
public sealed class KeyImportEntry
{
    /// <summary>Gets where the candidate was found (<see cref="KeyCandidate.Origin"/>).</summary>
    public required string Origin { get; init; }

    /// <summary>Gets what became of it.</summary>
    public required KeyImportStatus Status { get; init; }

    /// <summary>Gets the detected provider, or <see langword="null"/> when none was.</summary>
    public ProviderId? Provider { get; init; }

    /// <summary>Gets the key kind the candidate was taken for.</summary>
    public KeyKind Kind { get; init; } = KeyKind.Inference;

    /// <summary>Gets the managed key it was (or would be) imported as, or that already holds it; <see langword="null"/> when there is none.</summary>
    public KeyReference? Reference { get; init; }

    /// <summary>Gets the value's display hint (<see cref="SecretValue.DisplayHint"/>), such as <c>sk-…wxyz</c>.</summary>
    public required string DisplayHint { get; init; }

    /// <summary>Gets why, for every status but <see cref="KeyImportStatus.Imported"/>: a sentence that says how to fix it and never holds the value.</summary>
    public string? Reason { get; init; }

    /// <summary>Returns the entry without its value (it never has one).</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Status} {Origin} → {(Reference?.ToString() ?? Provider?.ToString() ?? "?")} ({DisplayHint}){(Reason is null ? string.Empty : ": " + Reason)}");
}
