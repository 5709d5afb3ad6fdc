using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// What the key handler tells the usage handler about a request. The two are added next to each other, so the key
/// handler normally calls the usage handler directly; only when another handler was put between them does the key
/// travel in <see cref="HttpRequestMessage.Options"/>.
/// </summary>
internal static class IronCageRequest
{
    public static readonly HttpRequestOptionsKey<ResolvedKey> Key = new("IronCage.ResolvedKey");
}
