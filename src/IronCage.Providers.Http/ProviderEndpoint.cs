namespace IronCage.Providers.Http;

/// <summary>Where one provider connection sends its management calls, and with which credential.</summary>
/// <remarks><see cref="ToString"/> leaves the credential out.</remarks>
public sealed class ProviderEndpoint
{
    /// <summary>Initializes an endpoint.</summary>
    /// <param name="connection">The connection's name (<c>Add&lt;Provider&gt;(name, …)</c>).</param>
    /// <param name="options">The connection's settings: its <see cref="ProviderHttpOptions.BaseAddress"/> (a missing trailing <c>/</c> is added) and timeout.</param>
    /// <param name="credential">The admin or management key; never logged.</param>
    /// <param name="credentialOption">The option that holds <paramref name="credential"/>, named in error messages.</param>
    public ProviderEndpoint(string connection, ProviderHttpOptions options, string credential, string credentialOption)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentException.ThrowIfNullOrWhiteSpace(credentialOption);
        Connection = connection;
        Options = options;
        BaseAddress = ProviderOptionsChecks.Normalize(options.BaseAddress);
        Credential = credential;
        CredentialOption = credentialOption;
    }

    /// <summary>Gets the connection's name.</summary>
    public string Connection { get; }

    /// <summary>Gets the connection's settings.</summary>
    public ProviderHttpOptions Options { get; }

    /// <summary>Gets the API's base address, ending in <c>/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the admin or management key; never logged.</summary>
    public string Credential { get; }

    /// <summary>Gets the option that holds <see cref="Credential"/>, named in error messages.</summary>
    public string CredentialOption { get; }

    /// <summary>The absolute address of <paramref name="relativePath"/> under <see cref="BaseAddress"/>.</summary>
    /// <param name="relativePath">A path relative to the base address.</param>
    /// <returns>The absolute address.</returns>
    public Uri Resolve(string relativePath) => new(BaseAddress, relativePath);

    /// <inheritdoc />
    public override string ToString() => $"{Connection} ({BaseAddress})";
}
