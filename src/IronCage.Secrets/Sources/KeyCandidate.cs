using System.Collections.Frozen;

namespace IronCage.Secrets;

/// <summary>One value a <see cref="IKeySource"/> found, with what the source knows about it. Never prints its value.</summary>
public sealed class KeyCandidate : IDisposable
{
    /// <summary>Gets where the value was found, precise enough for an operator to go there (for example
    /// <c>env:OPENAI_API_KEY</c>, <c>file:/run/secrets/openai_api_key</c>, <c>.env:12 OPENAI_API_KEY</c>). Never a secret.</summary>
    public required string Origin { get; init; }

    /// <summary>Gets the name the value was stored under (a variable, file or secret name), used to detect the
    /// provider, or <see langword="null"/> when the source has none.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the provider when the source knows it for certain (configured by the host), or
    /// <see langword="null"/> to let the importer detect it from <see cref="Name"/> and the key's prefix.</summary>
    public ProviderId? Provider { get; init; }

    /// <summary>Gets the value. Owned by this candidate and disposed with it.</summary>
    public required SecretValue Secret { get; init; }

    /// <summary>Gets settings found next to the value that the key needs (for example <c>AZURE_OPENAI_ENDPOINT</c>
    /// and <c>AZURE_OPENAI_API_VERSION</c> next to <c>AZURE_OPENAI_API_KEY</c>). Never secrets.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Disposes <see cref="Secret"/>.</summary>
    public void Dispose() => Secret.Dispose();

    /// <summary>Returns the origin and the value's display hint, never the value.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Origin} ({Secret.DisplayHint})";
}
