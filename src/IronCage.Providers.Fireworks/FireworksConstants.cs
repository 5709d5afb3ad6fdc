namespace IronCage.Providers.Fireworks;

/// <summary>The Fireworks adapter's defaults, scope keys and fixed names.</summary>
public static class FireworksConstants
{
    /// <summary>
    /// The optional <see cref="ManagedKey.Scope"/> entry with the user (or service-account user) whose keys a managed key
    /// creates, lists and deletes, instead of the connection's <see cref="FireworksProviderOptions.UserId"/>.
    /// </summary>
    public const string UserIdScopeKey = "user_id";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the adapter uses; configure it to add a proxy or handlers.</summary>
    public const string HttpClientName = "IronCage.Providers.Fireworks";

    /// <summary>The metadata entry of a created or listed key with its <c>prefix</c> (the first characters of the key), when Fireworks gives it.</summary>
    public const string PrefixMetadataKey = "prefix";

    /// <summary>The metadata entry of a listed key with the <c>email</c> of the user who owns it, when Fireworks gives it.</summary>
    public const string EmailMetadataKey = "email";

    /// <summary>The metadata entry of a created or listed key with the user whose key it is (the path's <c>user_id</c>).</summary>
    public const string UserIdMetadataKey = "user_id";

    /// <summary>How many keys one list page asks for (<c>pageSize</c>).</summary>
    public const int ListPageSize = 100;

    /// <summary>Gets Fireworks' API base address, <c>https://api.fireworks.ai/</c>: key management lives under <c>v1/</c>, inference under <c>inference/v1/</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://api.fireworks.ai/");
}
