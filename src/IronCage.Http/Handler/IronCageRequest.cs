using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// What the key handler tells the usage handler about a request. The two are added next to each other, so the key
/// handler normally calls the usage handler directly; only when another handler was put between them does the key
/// travel in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
internal static class IronCageRequest
{
    public static readonly HttpRequestOptionsKey<ResolvedKey> Key = new(KeyName);

    private const string KeyName = "IronCage.ResolvedKey";

    /// <summary>Takes the key off the request once its answer is in, as the key handler does with its auth header.</summary>
    public static void Remove(HttpRequestMessage request) => ((IDictionary<string, object?>)request.Options).Remove(KeyName);
}
