using IronCage.Storage;

namespace IronCage;

/// <summary>
/// No key of a managed key or pool can serve a request now. <see cref="Skipped"/> names every key that was passed
/// over and why (cooling down, disabled, limit reached, killed, …), so the caller can tell a wait from a fix.
/// </summary>
public sealed class NoUsableKeyException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="target">The managed key reference or pool name that was asked for.</param>
    /// <param name="skipped">Every key passed over, with its reason.</param>
    public NoUsableKeyException(string target, IReadOnlyList<KeySkip> skipped)
        : base(Describe(target, skipped))
    {
        Target = target;
        Skipped = skipped;
    }

    /// <summary>Gets the managed key reference or pool name that was asked for.</summary>
    public string Target { get; }

    /// <summary>Gets every key passed over, with its reason.</summary>
    public IReadOnlyList<KeySkip> Skipped { get; }

    private static string Describe(string target, IReadOnlyList<KeySkip> skipped)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentNullException.ThrowIfNull(skipped);
        return skipped.Count == 0
            ? $"No usable key for '{target}': it has no keys. Register a managed key (IKeyStore.CreateAsync) or add keys to the pool."
            : $"No usable key for '{target}': " + string.Join("; ", skipped.Select(s => s.ToString())) + ".";
    }
}
