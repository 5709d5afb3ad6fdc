using IronCage.Providers.Http;

namespace IronCage.Providers.Fireworks;

/// <summary>One Fireworks connection (an account, a user and the API key that manages that user's keys), registered with <c>AddFireworks(name, …)</c>.</summary>
public sealed class FireworksProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with Fireworks' own API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="FireworksConstants.DefaultBaseAddress"/>).</summary>
    public FireworksProviderOptions()
        : base(FireworksConstants.DefaultBaseAddress)
    {
    }

    /// <summary>
    /// Gets or sets the existing Fireworks API key that authenticates key management, sent as a bearer token. An account
    /// admin's key can manage the keys of service-account users. Read it from a secret store or configuration; IronCage
    /// never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? ManagementKey { get; set; }

    /// <summary>Gets or sets the Fireworks account id (the <c>account_id</c> of <c>/v1/accounts/{account_id}/…</c>).</summary>
    /// <value>No default: required.</value>
    public string? AccountId { get; set; }

    /// <summary>
    /// Gets or sets the user whose keys are created, listed and deleted (the <c>user_id</c> of
    /// <c>…/users/{user_id}/apiKeys</c>); it may be a service-account user. A managed key can name another with the
    /// <see cref="FireworksConstants.UserIdScopeKey"/> scope entry.
    /// </summary>
    /// <value>No default: required.</value>
    public string? UserId { get; set; }
}
