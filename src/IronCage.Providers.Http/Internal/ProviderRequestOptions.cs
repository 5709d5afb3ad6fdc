namespace IronCage.Providers.Http.Internal;

/// <summary>What <see cref="ProviderHttpCalls"/> tells the pipeline about one request, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
internal static class ProviderRequestOptions
{
    /// <summary>The connection the request belongs to: it selects the connection's pipeline (settings, circuit breaker).</summary>
    public static readonly HttpRequestOptionsKey<string> Connection = new("IronCage.Provider.Connection");

    /// <summary>Whether repeating the request after an unclear failure is harmless.</summary>
    public static readonly HttpRequestOptionsKey<bool> Repeatable = new("IronCage.Provider.Repeatable");

    /// <summary>The call's classifier of error answers.</summary>
    public static readonly HttpRequestOptionsKey<Func<ProviderHttpResponse, ProviderErrorKind?>> Classifier = new("IronCage.Provider.Classifier");

    /// <summary>Whether a request is repeatable: what its sender said, or else what its method says.</summary>
    public static bool IsRepeatable(HttpRequestMessage? request)
    {
        if (request is null)
        {
            return false;
        }

        return request.Options.TryGetValue(Repeatable, out var repeatable) ? repeatable : IsSafeMethod(request.Method);
    }

    /// <summary>GET, HEAD, OPTIONS and TRACE: the methods DisableForUnsafeHttpMethods leaves retryable.</summary>
    public static bool IsSafeMethod(HttpMethod method) => method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Trace;

    /// <summary>The methods whose repetition is harmless by HTTP's definition (safe methods, PUT and DELETE).</summary>
    public static bool IsIdempotentMethod(HttpMethod method) => IsSafeMethod(method) || method == HttpMethod.Put || method == HttpMethod.Delete;
}
