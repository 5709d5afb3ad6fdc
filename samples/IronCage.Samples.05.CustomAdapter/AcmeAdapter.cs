using System.Text.Json.Nodes;
using IronCage.Providers;
using IronCage.Providers.Http;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Samples.CustomAdapter;

/// <summary>
/// The adapter's settings. Deriving from <see cref="ProviderHttpOptions"/> gives them the names every IronCage provider
/// uses (<c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>) and the
/// same pipeline: retries that never resend a create, a timeout per attempt, a circuit breaker, no redirects.
/// </summary>
public sealed class AcmeAdapterOptions : ProviderHttpOptions
{
    public AcmeAdapterOptions()
        : base(AcmeServer.BaseAddress)
    {
    }

    /// <summary>Gets or sets the admin key that may create and delete Acme keys.</summary>
    public string? AdminKey { get; set; }
}

/// <summary>
/// An <see cref="IProviderAdapter"/> for Acme LLM. Deriving from <see cref="ProviderAdapter"/> means every operation
/// Acme does not offer (list, deactivate, regenerate...) already throws <see cref="NotSupportedByProviderException"/>;
/// the adapter overrides the three Acme has. Its capabilities (Create, Delete, Verify) make it an Automatic-tier provider.
/// The calls go through IronCage.Providers.Http, as the built-in adapters' do.
/// </summary>
public sealed class AcmeAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<AcmeAdapterOptions> connections, IProviderCatalog catalog, IClock clock) : ProviderAdapter
{
    public const string HttpClientName = "acme";

    // The host's descriptor of Acme (auth scheme, error rules) is what the calls use.
    private readonly ProviderHttp _http = new(httpClientFactory, HttpClientName, catalog.GetDescriptor(Id), clock);

    public static ProviderId Id { get; } = new("acme");

    /// <summary>What IronCage knows about Acme: added to the catalog with <c>IronCageOptions.AddProvider</c>.</summary>
    public static ProviderDescriptor Descriptor { get; } = new(Id, "Acme LLM")
    {
        ConsoleUrl = new Uri("https://console.acme.example/keys"),
        Capabilities = ProviderCapabilities.Create | ProviderCapabilities.Delete | ProviderCapabilities.Verify,
        Auth = AuthScheme.Bearer,
        EnvironmentVariables = ["ACME_API_KEY"],
        KeyFormats = [new KeyFormat(KeyKind.Inference, "acme_[A-Za-z0-9]{40}", "acme_ followed by 40 letters and digits", "acme_")],
        VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.acme.example/v1/me"),
    };

    public override ProviderId Provider => Id;

    public override ProviderCapabilities Capabilities => Descriptor.Capabilities;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = Endpoint(request.Context);

        // A POST is sent once: after an unclear failure the rotation engine decides what to do, never the pipeline.
        var body = await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Post, endpoint.Resolve("v1/keys"), "create key") { Body = new JsonObject { ["name"] = request.Name } }, cancellationToken)
            ?? throw new IronCageException("Acme answered a create without a body.");

        // The secret goes straight into a SecretValue: IronCage seals it before it is stored and never logs it.
        return new CreatedProviderKey(body.GetRequiredString("id", Id), SecretValue.FromString(body.GetRequiredString("secret", Id))) { Name = request.Name };
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        var endpoint = Endpoint(context);

        // Already gone is what a delete wants: a 404 comes back as no body instead of an error.
        await _http.SendAsync(endpoint, new ProviderCall(HttpMethod.Delete, endpoint.Resolve($"v1/keys/{ProviderJson.Segment(providerKeyId)}"), "delete key") { NotFoundIsNull = true }, cancellationToken);
    }

    // Authorization: Bearer <key>, applied from the descriptor without the key ever becoming a logged string; errors are
    // classified (InvalidKey, RateLimited, Transient...) so the rotation engine knows whether to retry, roll back or give up.
    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        var endpoint = Endpoint(context);
        return _http.VerifyAsync(endpoint, endpoint.Resolve("v1/me"), key, rules: null, cancellationToken);
    }

    private ProviderEndpoint Endpoint(ProviderKeyContext context)
    {
        var (name, options) = connections.Select(context);
        return new ProviderEndpoint(name, options, options.AdminKey ?? string.Empty, nameof(AcmeAdapterOptions.AdminKey));
    }
}
