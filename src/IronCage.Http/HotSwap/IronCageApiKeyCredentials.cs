using System.ClientModel;
using System.Collections.Concurrent;
using IronCage.Internal;
using IronCage.Storage;
using Microsoft.Extensions.Logging;

namespace IronCage.Http;

/// <summary>
/// Live <see cref="ApiKeyCredential"/>s for the official OpenAI and Azure OpenAI SDK clients (System.ClientModel):
/// each follows its managed key, so a rotation reaches clients that are already built, without a restart. When the
/// key stops being usable (killed, disabled), the credential is set to a placeholder that the provider rejects, so
/// the client fails closed rather than using a revoked key.
/// </summary>
/// <remarks>
/// A credential only swaps the key value: the SDK still sends its requests over its own transport, so none of
/// IronCage's handlers see them. Usage is not recorded (nothing appears in <c>IUsageQuery</c>), budgets and spend limits
/// are not enforced, a pool does not fail over, and IronCage does not retry on a 401/429. For all of those, route the
/// client through an IronCage named <see cref="HttpClient"/> with <see cref="IronCageSdk"/> instead.
/// </remarks>
/// <example>
/// <code>
/// var credential = await credentials.GetAsync(KeyReference.Parse("openai/prod"));
/// var chat = new ChatClient("gpt-4o-mini", credential);   // keeps working across rotations
/// </code>
/// </example>
public sealed class IronCageApiKeyCredentials : IDisposable
{
    /// <summary>The value a credential holds while its key is unusable; providers reject it as an invalid key.</summary>
    public const string UnavailablePlaceholder = "ironcage-key-unavailable";

    private readonly IKeyResolver _resolver;
    private readonly ILogger<IronCageApiKeyCredentials> _logger;
    private readonly ConcurrentDictionary<KeyReference, Live> _live = new();

    /// <summary>Creates the credential source.</summary>
    /// <param name="resolver">The key resolver the credentials follow.</param>
    /// <param name="logger">The logger.</param>
    public IronCageApiKeyCredentials(IKeyResolver resolver, ILogger<IronCageApiKeyCredentials> logger)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(logger);
        _resolver = resolver;
        _logger = logger;
        _resolver.KeyChanged += OnKeyChanged;
    }

    /// <summary>Gets the live credential of a managed key: the same instance for every call with the same key.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="cancellationToken">Cancels the first read of the key.</param>
    /// <returns>A credential that holds the key's current version and is updated when it changes.</returns>
    /// <exception cref="NoUsableKeyException">The key has no usable version now.</exception>
    public async ValueTask<ApiKeyCredential> GetAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        if (_live.TryGetValue(key, out var existing))
        {
            return existing.Credential;
        }

        var resolved = await _resolver.ResolveAsync(key, cancellationToken).ConfigureAwait(false);
        var live = _live.GetOrAdd(key, static (_, secret) => new Live(new ApiKeyCredential(secret.Reveal())), resolved.Secret);
        return live.Credential;
    }

    /// <summary>Stops following key changes.</summary>
    public void Dispose() => _resolver.KeyChanged -= OnKeyChanged;

    private void OnKeyChanged(object? sender, KeyChangedEventArgs e)
    {
        if (_live.TryGetValue(e.Key, out var live))
        {
            _ = UpdateAsync(e.Key, live);
        }
    }

    private async Task UpdateAsync(KeyReference key, Live live)
    {
        // Changes can arrive in quick succession; updates run one at a time per key, and each reads the newest version.
        await live.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var resolved = await _resolver.ResolveAsync(key).ConfigureAwait(false);
            live.Credential.Update(resolved.Secret.Reveal());
        }
        catch (NoUsableKeyException)
        {
            live.Credential.Update(UnavailablePlaceholder);
        }
        catch (Exception exception)
        {
            Log.CredentialUpdateFailed(_logger, key, exception);
        }
        finally
        {
            live.Gate.Release();
        }
    }

    private sealed class Live(ApiKeyCredential credential)
    {
        public ApiKeyCredential Credential { get; } = credential;

        public SemaphoreSlim Gate { get; } = new(1, 1);
    }
}
