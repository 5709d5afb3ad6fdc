using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using IronCage.Providers.Http;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.AwsBedrock;

/// <summary>
/// Manages Amazon Bedrock API keys, which are IAM service-specific credentials for <c>bedrock.amazonaws.com</c>:
/// creates them (with <c>CredentialAgeDays</c> from the rotation policy), lists, deactivates and deletes them, and
/// keeps within IAM's two credentials per user by deleting an Inactive or Expired leftover before creating.
/// Verifies a key with a Bedrock call that carries it as a bearer token.
/// </summary>
internal sealed class AwsBedrockProviderAdapter : ProviderAdapter
{
    private readonly ProviderConnections<AwsBedrockProviderOptions> _connections;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IProviderCatalog _catalog;
    private readonly ICatalogKeyVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, IamClient> _clients = new(StringComparer.Ordinal);

    public AwsBedrockProviderAdapter(ProviderConnections<AwsBedrockProviderOptions> connections, IHttpClientFactory httpClientFactory, IProviderCatalog catalog, ICatalogKeyVerifier verifier, TimeProvider time, IClock clock, ILogger<AwsBedrockProviderAdapter> logger)
    {
        _clock = clock;
        _connections = connections;
        _httpClientFactory = httpClientFactory;
        _catalog = catalog;
        _verifier = verifier;
        _time = time;
        _logger = logger;
    }

    public override ProviderId Provider => ProviderId.AwsBedrock;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Read | ProviderCapabilities.Deactivate | ProviderCapabilities.Delete | ProviderCapabilities.Expiry | ProviderCapabilities.Verify;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (client, userName, options) = Resolve(request.Context);
        await MakeRoomAsync(client, userName, cancellationToken).ConfigureAwait(false);

        var ageDays = AgeDays(request.ExpiresAt, options);
        var (credential, secret) = await client.CreateAsync(userName, ageDays, cancellationToken).ConfigureAwait(false);
        Log.CredentialCreated(_logger, credential.Id, credential.Alias, userName, request.Context.Key, secret.DisplayHint, credential.ExpirationDate);
        return new CreatedProviderKey(credential.Id, secret)
        {
            Name = credential.Alias,
            ExpiresAt = credential.ExpirationDate is { } expires ? Instant.FromDateTimeOffset(expires) : null,
            Metadata = Metadata(credential),
        };
    }

    public override async IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (client, userName, _) = Resolve(context);
        foreach (var credential in await client.ListAsync(userName, cancellationToken).ConfigureAwait(false))
        {
            yield return Describe(credential);
        }
    }

    public override async Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (client, userName, _) = Resolve(context);
        var credentials = await client.ListAsync(userName, cancellationToken).ConfigureAwait(false);
        return credentials.Find(c => c.Id == providerKeyId) is { } found ? Describe(found) : null;
    }

    public override async Task DeactivateKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (client, userName, _) = Resolve(context);
        await client.UpdateStatusAsync(userName, providerKeyId, "Inactive", cancellationToken).ConfigureAwait(false);
        Log.CredentialDeactivated(_logger, providerKeyId, userName);
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (client, userName, _) = Resolve(context);
        try
        {
            await client.DeleteAsync(userName, providerKeyId, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.NotFound)
        {
            // Already gone: that is what delete wants.
            return;
        }

        Log.CredentialDeleted(_logger, providerKeyId, userName);
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        var (_, options) = _connections.Select(context);
        var region = context.Scope.TryGetValue(AwsBedrockConstants.RegionScopeKey, out var scoped) && !string.IsNullOrWhiteSpace(scoped) ? scoped : options.BedrockRegion;
        return _verifier.VerifyAsync(ProviderId.AwsBedrock, key, new KeyVerificationOptions { Kind = context.Kind, Parameters = new Dictionary<string, string> { [AwsBedrockConstants.RegionScopeKey] = region } }, cancellationToken);
    }

    // IAM allows two Bedrock credentials per user. An Inactive or Expired one is a leftover (a previous rotation
    // deactivated it, or it aged out) and is deleted, oldest first; an Active one may be the key in use and is never touched.
    private async Task MakeRoomAsync(IamClient client, string userName, CancellationToken cancellationToken)
    {
        var existing = await client.ListAsync(userName, cancellationToken).ConfigureAwait(false);
        var excess = existing.Count - (AwsBedrockConstants.MaxCredentialsPerUser - 1);
        if (excess <= 0)
        {
            return;
        }

        var leftovers = existing.Where(c => c.Status is "Inactive" or "Expired").OrderBy(c => c.CreateDate ?? DateTimeOffset.MinValue).Take(excess).ToList();
        if (leftovers.Count < excess)
        {
            throw new ProviderRequestException(ProviderId.AwsBedrock, ProviderErrorKind.Conflict, $"{ProviderId.AwsBedrock}: IAM user {userName} already has {existing.Count} active Bedrock API keys ({string.Join(", ", existing.Select(c => c.Id))}), IAM's limit, and IronCage never deletes an active one because it may be in use. Deactivate or delete the one that is not in use, then rotate again.")
            {
                ProviderErrorCode = "LimitExceeded",
            };
        }

        foreach (var leftover in leftovers)
        {
            try
            {
                await client.DeleteAsync(userName, leftover.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.NotFound)
            {
                continue;
            }

            Log.LeftoverDeleted(_logger, leftover.Id, leftover.Status, userName);
        }
    }

    private int? AgeDays(Instant? expiresAt, AwsBedrockProviderOptions options)
    {
        if (expiresAt is not { } expires)
        {
            return options.CredentialAgeDays;
        }

        var days = (int)Math.Ceiling((expires - _clock.GetCurrentInstant()).TotalDays);
        return Math.Clamp(days, AwsBedrockConstants.MinCredentialAgeDays, AwsBedrockConstants.MaxCredentialAgeDays);
    }

    private static ProviderKeyInfo Describe(IamCredential credential) => new()
    {
        ProviderKeyId = credential.Id,
        Name = credential.Alias,
        DisplayHint = credential.Alias,
        Status = credential.Status switch
        {
            "Active" => ProviderKeyStatus.Active,
            "Inactive" => ProviderKeyStatus.Inactive,
            "Expired" => ProviderKeyStatus.Expired,
            _ => ProviderKeyStatus.Unknown,
        },
        CreatedAt = credential.CreateDate is { } created ? Instant.FromDateTimeOffset(created) : null,
        ExpiresAt = credential.ExpirationDate is { } expires ? Instant.FromDateTimeOffset(expires) : null,
        Metadata = Metadata(credential),
    };

    private static Dictionary<string, string> Metadata(IamCredential credential)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["user_name"] = credential.UserName, ["service_name"] = credential.ServiceName };
        if (credential.Alias is { } alias)
        {
            metadata["alias"] = alias;
        }

        return metadata;
    }

    private (IamClient Client, string UserName, AwsBedrockProviderOptions Options) Resolve(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        var userName = context.Scope.TryGetValue(AwsBedrockConstants.UserNameScopeKey, out var scoped) && !string.IsNullOrWhiteSpace(scoped) ? scoped
            : !string.IsNullOrWhiteSpace(options.UserName) ? options.UserName
            : throw new IronCageException($"Managed key '{context.Key}' has no '{AwsBedrockConstants.UserNameScopeKey}' scope entry and its AWS Bedrock connection no UserName. Register the key with the IAM user that owns its Bedrock API keys, or set UserName on AddAwsBedrock(name, o => …).");
        var client = _clients.GetOrAdd(name, _ => new IamClient(
            _httpClientFactory.CreateClient(AwsBedrockConstants.HttpClientName),
            new ProviderHttpCalls(_catalog.GetDescriptor(ProviderId.AwsBedrock), name, options, _time),
            options,
            _time));
        return (client, userName, options);
    }
}
