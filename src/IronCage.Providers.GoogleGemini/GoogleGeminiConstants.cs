namespace IronCage.Providers.GoogleGemini;

/// <summary>The Google Gemini adapter's defaults and well-known names.</summary>
public static class GoogleGeminiConstants
{
    /// <summary>The name of the <see cref="HttpClient"/> the adapter sends API Keys API calls with; configure it with <c>AddHttpClient(GoogleGeminiConstants.HttpClientName)</c>.</summary>
    public const string HttpClientName = "IronCage.GoogleGemini";

    /// <summary>The OAuth scope the adapter's token is requested for.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

    /// <summary>The <see cref="ManagedKey.Scope"/> entry holding the Google Cloud project (number or id) whose keys are managed.</summary>
    public const string ProjectScopeKey = "project";

    /// <summary>
    /// The <see cref="ManagedKey.Scope"/> entry naming the API key (its id, or its full resource name) whose
    /// restrictions a new key copies before IronCage has created one for the managed key itself.
    /// </summary>
    public const string TemplateKeyScopeKey = "key_id";

    /// <summary>The annotation IronCage puts on the keys it creates, holding the managed key (<c>google-gemini/prod</c>); the newest such key is the template of the next one.</summary>
    public const string ManagedKeyAnnotation = "ironcage-managed-key";

    /// <summary>The API the keys are restricted to when there is no key to copy restrictions from.</summary>
    public const string GenerativeLanguageService = "generativelanguage.googleapis.com";

    /// <summary>The longest display name the API Keys API accepts.</summary>
    public const int MaxDisplayNameLength = 63;

    /// <summary>Gets the API Keys API endpoint used by default: <c>https://apikeys.googleapis.com/</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://apikeys.googleapis.com/");

    /// <summary>Gets the default first wait between polls of a long-running operation: 1 second.</summary>
    public static TimeSpan DefaultPollInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the default longest wait between polls: 10 seconds.</summary>
    public static TimeSpan DefaultMaxPollInterval { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the default deadline of a long-running operation: 2 minutes (the API's backend deadline is 120 s).</summary>
    public static TimeSpan DefaultOperationTimeout { get; } = TimeSpan.FromMinutes(2);
}
