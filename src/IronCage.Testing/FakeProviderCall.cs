using NodaTime;

namespace IronCage.Testing;

/// <summary>One call <see cref="FakeProviderAdapter"/> received.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Key">The managed key the call was for.</param>
/// <param name="ProviderKeyId">The provider key (or slot) the call addressed, or the one it created.</param>
/// <param name="At">When, by the adapter's clock.</param>
/// <param name="Outcome">How it ended.</param>
public sealed record FakeProviderCall(FakeProviderOperation Operation, KeyReference Key, string? ProviderKeyId, Instant At, FakeCallOutcome Outcome);
