using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace IronCage.Samples.CustomAdapter;

/// <summary>The adapter's own settings: here only the admin key that may create and delete Acme keys.</summary>
public sealed class AcmeAdapterOptions
{
    public required string AdminKey { get; init; }
}

/// <summary>
/// An <see cref="IProviderAdapter"/> for Acme LLM. Deriving from <see cref="ProviderAdapter"/> means every operation
/// Acme does not offer (list, deactivate, regenerate...) already throws <see cref="NotSupportedByProviderException"/>;
/// the adapter overrides the three Acme has. Its capabilities (Create, Delete, Verify) make it an Automatic-tier provider.
/// </summary>
public sealed class AcmeAdapter(IHttpClientFactory httpClientFactory, AcmeAdapterOptions options) : ProviderAdapter
{
    public const string HttpClientName = "acme";

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
        using var message = Admin(HttpMethod.Post, "v1/keys");
        message.Content = JsonContent.Create(new { name = request.Name });
        using var response = await Client.SendAsync(message, cancellationToken);
        await ThrowIfFailedAsync(response, "create key", cancellationToken);
        var created = await response.Content.ReadFromJsonAsync<AcmeKey>(cancellationToken) ?? throw new IronCageException("Acme answered a create without a body.");

        // The secret goes straight into a SecretValue: IronCage seals it before it is stored and never logs it.
        return new CreatedProviderKey(created.Id, SecretValue.FromString(created.Secret)) { Name = request.Name };
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        using var message = Admin(HttpMethod.Delete, $"v1/keys/{Uri.EscapeDataString(providerKeyId)}");
        using var response = await Client.SendAsync(message, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound) // already gone is what a delete wants
        {
            await ThrowIfFailedAsync(response, "delete key", cancellationToken);
        }
    }

    public override async Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var message = new HttpRequestMessage(HttpMethod.Get, "v1/me");
        Descriptor.Auth.Apply(message, key); // Authorization: Bearer <key>, without the key ever becoming a logged string
        using var response = await Client.SendAsync(message, cancellationToken);
        var status = (int)response.StatusCode;
        return KeyVerificationResult.FromClassification(new ProviderResponseClassification(Provider, status, ProviderResponseClassifier.DefaultKind(status)));
    }

    private HttpClient Client => httpClientFactory.CreateClient(HttpClientName);

    private HttpRequestMessage Admin(HttpMethod method, string path)
    {
        var message = new HttpRequestMessage(method, path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.AdminKey);
        return message;
    }

    // Every adapter turns a provider's error answer into IronCage's one failure type with a classified kind, so the
    // rotation engine knows whether to retry, roll back or give up.
    private async Task ThrowIfFailedAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        throw new ProviderRequestException(Provider, ProviderResponseClassifier.DefaultKind(status) ?? ProviderErrorKind.Unknown, $"Acme: {operation} failed with {status}: {body}") { StatusCode = status };
    }

    private sealed record AcmeKey(string Id, string Secret);
}
