using System.Diagnostics.CodeAnalysis;
using NodaTime;

namespace IronCage;

/// <summary>
/// What the key resolver asks before handing out a key: has it reached a hard usage limit in the current window?
/// A key that has is unusable until the window resets, so a pool fails over to its next key.
/// </summary>
public interface IUsageGate
{
    /// <summary>Tells whether <paramref name="key"/> is blocked by a hard limit at <paramref name="now"/>. Allocation-free when it is not.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="skip">When blocked: which limit, and until when.</param>
    /// <returns><see langword="true"/> if the key must not be used now.</returns>
    bool IsBlocked(KeyReference key, Instant now, [NotNullWhen(true)] out KeySkip? skip);
}
