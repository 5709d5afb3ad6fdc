using Google.Apis.Auth.OAuth2;
using IronCage.Providers.Http;

namespace IronCage.Providers.GoogleGemini;

/// <summary>
/// One Google connection: the credential that may manage API keys (<c>apikeys.keys.*</c>) in a project, and the project
/// a managed key's <see cref="ManagedKey.Scope"/> does not name itself. Credentials are tried in this order:
/// <see cref="Credential"/>, <see cref="AccessToken"/>, <see cref="ServiceAccountJson"/>, <see cref="ServiceAccountFile"/>,
/// then application-default credentials.
/// </summary>
public sealed class GoogleGeminiProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with Google's API Keys API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="GoogleGeminiConstants.DefaultBaseAddress"/>).</summary>
    public GoogleGeminiProviderOptions()
        : base(GoogleGeminiConstants.DefaultBaseAddress)
    {
    }

    /// <summary>Gets or sets a ready credential (any <see cref="GoogleCredential"/>); it is scoped to cloud-platform.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public GoogleCredential? Credential { get; set; }

    /// <summary>Gets or sets an OAuth access token to use as is (short-lived; for tools and tests).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AccessToken { get; set; }

    /// <summary>Gets or sets a service account key, as the JSON text Google issues.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ServiceAccountJson { get; set; }

    /// <summary>Gets or sets the path of a service account key file.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ServiceAccountFile { get; set; }

    /// <summary>Gets or sets the project (number or id) used when a managed key's scope has no <c>project</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Project { get; set; }

    /// <summary>Gets the APIs a new key is restricted to when there is no previous key to copy restrictions from.</summary>
    /// <value>The default value is <c>generativelanguage.googleapis.com</c> only.</value>
    public IList<string> DefaultApiTargets { get; } = [GoogleGeminiConstants.GenerativeLanguageService];

    /// <summary>Gets or sets the first wait between polls of a long-running operation.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan PollInterval { get; set; } = GoogleGeminiConstants.DefaultPollInterval;

    /// <summary>Gets or sets the longest wait between polls.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan MaxPollInterval { get; set; } = GoogleGeminiConstants.DefaultMaxPollInterval;

    /// <summary>Gets or sets how long a long-running operation (create, delete, undelete) may take before the call fails as transient.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan OperationTimeout { get; set; } = GoogleGeminiConstants.DefaultOperationTimeout;

    internal ProviderPollSettings Polling => new(PollInterval, MaxPollInterval, OperationTimeout);
}
