using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace IronCage.Samples.CustomAdapter;

/// <summary>
/// An in-process fake of Acme LLM's key API, as an <see cref="HttpMessageHandler"/>: <c>POST /v1/keys</c> and
/// <c>DELETE /v1/keys/{id}</c> with the admin key, <c>GET /v1/me</c> with an inference key.
/// </summary>
public sealed class AcmeServer : HttpMessageHandler
{
    public const string AdminKey = "acme-admin-sample";

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly ConcurrentDictionary<string, string> _keys = new(); // id → secret
    private readonly ConcurrentQueue<string> _requests = new();

    public static Uri BaseAddress { get; } = new("https://api.acme.example/");

    public int LiveKeyCount => _keys.Count;

    public IReadOnlyCollection<string> Requests => _requests;

    public (string Id, string Secret) Seed()
    {
        var id = "key_" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        var secret = "acme_" + RandomNumberGenerator.GetString(Alphabet, 40);
        _keys[id] = secret;
        return (id, secret);
    }

    public bool IsValid(string secret) => _keys.Values.Contains(secret);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        _requests.Enqueue($"{request.Method} {(path.StartsWith("/v1/keys/", StringComparison.Ordinal) ? "/v1/keys/{id}" : path)}");
        var bearer = request.Headers.Authorization?.Parameter;
        return Task.FromResult((request.Method.Method, path) switch
        {
            ("GET", "/v1/me") => bearer is not null && IsValid(bearer) ? Answer(HttpStatusCode.OK, new { ok = true }) : Answer(HttpStatusCode.Unauthorized, new { error = "invalid_api_key" }),
            _ when bearer != AdminKey => Answer(HttpStatusCode.Unauthorized, new { error = "admin key required" }),
            ("POST", "/v1/keys") => Create(),
            ("DELETE", _) when path.StartsWith("/v1/keys/", StringComparison.Ordinal) => _keys.TryRemove(path["/v1/keys/".Length..], out _) ? new HttpResponseMessage(HttpStatusCode.NoContent) : Answer(HttpStatusCode.NotFound, new { error = "no such key" }),
            _ => Answer(HttpStatusCode.NotFound, new { error = "not found" }),
        });
    }

    private HttpResponseMessage Create()
    {
        var (id, secret) = Seed();
        return Answer(HttpStatusCode.Created, new { id, secret });
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, object body) => new(status) { Content = JsonContent.Create(body) };
}
