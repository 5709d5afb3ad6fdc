using IronCage.Providers;

namespace IronCage.Leaks.Egress;

/// <summary>
/// An outgoing request was refused because its body carries a managed key's value (a prompt or a tool output that
/// contains a key). The request never left the process.
/// </summary>
public sealed class LeakedKeyEgressException : IronCageException
{
    /// <summary>Creates the exception.</summary>
    public LeakedKeyEgressException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public LeakedKeyEgressException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LeakedKeyEgressException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    internal LeakedKeyEgressException(KeyReference key, ProviderId provider, string hint, Uri? requestUri)
        : base($"The request to {requestUri?.GetLeftPart(UriPartial.Path) ?? "(no URI)"} was not sent: its body contains the value of managed key {key} ({hint}). Remove the key from the prompt or tool output; the attempt is audited as key.egress-blocked.")
    {
        Key = key;
        Provider = provider;
        Hint = hint;
    }

    /// <summary>Gets the managed key whose value the body carried.</summary>
    public KeyReference? Key { get; }

    /// <summary>Gets the provider whose key shape was found.</summary>
    public ProviderId? Provider { get; }

    /// <summary>Gets the masked hint of the value.</summary>
    public string? Hint { get; }
}
