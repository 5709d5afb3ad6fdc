using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.AwsBedrock;

/// <summary>
/// Generates Amazon Bedrock short-term API keys (<see cref="ProviderId.AwsBedrockShortTerm"/>, the
/// <see cref="RotationTier.Generated"/> tier) from the host's AWS credentials, with no AWS call: each key is a
/// pre-signed SigV4 URL, valid for the connection's lifetime (at most 12 hours), the policy's key lifetime, or until
/// the credentials expire, whichever is first. Nothing can revoke such a key. Verifies a key with a Bedrock call that
/// carries it as a bearer token.
/// </summary>
internal sealed class AwsBedrockShortTermProviderAdapter : ProviderAdapter, IKeyGeneratingProviderAdapter
{
    private readonly ShortTermConnections _connections;
    private readonly ICatalogKeyVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<AWSCredentials>> _defaultChain = new(StringComparer.Ordinal);

    public AwsBedrockShortTermProviderAdapter(ShortTermConnections connections, ICatalogKeyVerifier verifier, TimeProvider time, ILogger<AwsBedrockShortTermProviderAdapter> logger)
    {
        _connections = connections;
        _verifier = verifier;
        _time = time;
        _logger = logger;
    }

    public override ProviderId Provider => ProviderId.AwsBedrockShortTerm;

    public override ProviderCapabilities Capabilities => ProviderCapabilities.Generate | ProviderCapabilities.Expiry | ProviderCapabilities.Verify;

    public async Task<CreatedProviderKey> GenerateKeyAsync(GenerateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (name, options) = _connections.Select(request.Context);
        var region = RegionOf(request.Context, options);
        AWSCredentials source;
        ImmutableCredentials credentials;
        try
        {
            // PublicationOnly: a default chain that found nothing yet (no role attached at start) is looked up again next time.
            source = options.Credentials ?? _defaultChain.GetOrAdd(name, static _ => new Lazy<AWSCredentials>(() => DefaultAWSCredentialsIdentityResolver.GetCredentials(null), LazyThreadSafetyMode.PublicationOnly)).Value;
            credentials = await source.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The credential source's message may quote a profile or role: keep only its type, never its text.
            Log.CredentialsUnavailable(_logger, name, request.Context.Key, ex.GetType().Name);
            throw new ProviderRequestException(Provider, ProviderErrorKind.Forbidden, $"{Provider}: the AWS credentials of key source '{name}' could not be obtained ({ex.GetType().Name}), so no short-term key was generated for {request.Context.Key}. Check Credentials or the default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, container or instance role); the current key is served until it expires.");
        }

        if (credentials is null || string.IsNullOrEmpty(credentials.AccessKey) || string.IsNullOrEmpty(credentials.SecretKey))
        {
            throw new ProviderRequestException(Provider, ProviderErrorKind.Forbidden, $"{Provider}: the AWS credentials of key source '{name}' have no access key pair, so no short-term key was generated for {request.Context.Key}.");
        }

        var signedAt = _time.GetUtcNow();
        var lifetime = Lifetime(options, request.Lifetime, source.Expiration, signedAt);
        if (lifetime < TimeSpan.FromSeconds(1))
        {
            throw new ProviderRequestException(Provider, ProviderErrorKind.Forbidden, $"{Provider}: the AWS credentials of key source '{name}' expire at {source.Expiration:O}, too soon to sign a short-term key for {request.Context.Key}. Refresh the credentials (a new session or assumed role).");
        }

        var key = await BedrockShortTermKey.CreateAsync(credentials, region, lifetime, signedAt, cancellationToken).ConfigureAwait(false);
        var expiresAt = Instant.FromDateTimeOffset(signedAt) + Duration.FromSeconds(Math.Floor(lifetime.TotalSeconds));
        var id = BedrockShortTermKey.IdOf(key, signedAt);
        Log.ShortTermKeyGenerated(_logger, id, request.Context.Key, region, key.DisplayHint, expiresAt);
        return new CreatedProviderKey(id, key)
        {
            ExpiresAt = expiresAt,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [AwsBedrockConstants.RegionScopeKey] = region, ["source"] = name },
        };
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        var (_, options) = _connections.Select(context);
        return _verifier.VerifyAsync(Provider, key, new KeyVerificationOptions { Kind = context.Kind, Parameters = new Dictionary<string, string> { [AwsBedrockConstants.RegionScopeKey] = RegionOf(context, options) } }, cancellationToken);
    }

    /// <summary>The key's lifetime: the connection's, shortened by the policy's key lifetime and by the credentials' expiry.</summary>
    internal static TimeSpan Lifetime(AwsBedrockShortTermOptions options, Duration? requested, DateTime? credentialsExpireAt, DateTimeOffset now)
    {
        var lifetime = options.Lifetime < AwsBedrockConstants.MaxShortTermLifetime ? options.Lifetime : AwsBedrockConstants.MaxShortTermLifetime;
        if (requested is { } wanted && wanted.ToTimeSpan() < lifetime)
        {
            lifetime = wanted.ToTimeSpan();
        }

        if (credentialsExpireAt is { } expires)
        {
            var left = new DateTimeOffset(DateTime.SpecifyKind(expires, expires.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : expires.Kind)) - now;
            if (left < lifetime)
            {
                lifetime = left;
            }
        }

        return lifetime;
    }

    private static string RegionOf(ProviderKeyContext context, AwsBedrockShortTermOptions options)
        => context.Scope.TryGetValue(AwsBedrockConstants.RegionScopeKey, out var scoped) && !string.IsNullOrWhiteSpace(scoped) ? scoped
            : options.Region ?? throw new IronCageException($"Managed key '{context.Key}' has no '{AwsBedrockConstants.RegionScopeKey}' scope entry and its AWS Bedrock short-term key source no Region.");
}
