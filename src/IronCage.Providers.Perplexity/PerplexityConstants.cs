namespace IronCage.Providers.Perplexity;

/// <summary>The Perplexity adapter's defaults and fixed names.</summary>
public static class PerplexityConstants
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the adapter uses; configure it to add a proxy or handlers.</summary>
    public const string HttpClientName = "IronCage.Providers.Perplexity";

    /// <summary>The metadata entry of a created key with its creation time in Unix seconds, as Perplexity answers it (<c>created_at_epoch_seconds</c>).</summary>
    public const string CreatedAtMetadataKey = "created_at_epoch_seconds";

    /// <summary>Gets the default address of Perplexity's API (<c>https://api.perplexity.ai/</c>).</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://api.perplexity.ai/");
}
