using IronCage.Providers.Http;

namespace IronCage.Providers.XAI;

/// <summary>
/// One xAI connection (a team and a management key), registered with <c>AddXAI(name, …)</c>.
/// <see cref="ProviderHttpOptions.BaseAddress"/> is the Management API (<see cref="XAIConstants.DefaultManagementAddress"/>).
/// </summary>
public sealed class XAIProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with xAI's Management API as <see cref="ProviderHttpOptions.BaseAddress"/>.</summary>
    public XAIProviderOptions()
        : base(XAIConstants.DefaultManagementAddress)
    {
    }

    /// <summary>
    /// Gets or sets the management key (xAI Console → Settings → Management Keys; the account needs "Management Keys
    /// Read + Write"), sent as a bearer token to the Management API only. IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing management key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? ManagementKey { get; set; }

    /// <summary>Gets or sets the team whose keys are created and listed (its id, from the console's team settings).</summary>
    /// <value>No default: a missing team id stops start-up.</value>
    public string? TeamId { get; set; }

    /// <summary>
    /// Gets the ACLs a new key gets: <c>api-key:model:&lt;model&gt;</c> or <c>api-key:model:*</c>, and
    /// <c>api-key:endpoint:chat|image|*</c>. Empty means all models and endpoints
    /// (<see cref="XAIConstants.AllModelsAcl"/>, <see cref="XAIConstants.AllEndpointsAcl"/>).
    /// </summary>
    public IList<string> Acls { get; } = [];

    /// <summary>Gets or sets the inference API's base address, where keys are verified with <c>GET v1/api-key</c>.</summary>
    /// <value>The default value is <see cref="XAIConstants.DefaultInferenceAddress"/>.</value>
    public Uri InferenceAddress { get; set; } = XAIConstants.DefaultInferenceAddress;
}
