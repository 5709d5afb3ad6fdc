using System.Runtime.CompilerServices;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>
/// Reads provider keys from the enabled secrets of one Key Vault whose names start with
/// <see cref="AzureKeyVaultSourceOptions.NamePrefix"/> and that carry <see cref="AzureKeyVaultSourceOptions.Tags"/>. A
/// secret's name, with <c>-</c> read as <c>_</c> (Key Vault names have no underscores), is the candidate's name, so
/// <c>OPENAI-API-KEY</c> is detected as OpenAI.
/// </summary>
/// <remarks>The identity needs <c>list</c> and <c>get</c> on secrets (the <c>Key Vault Secrets User</c> role).</remarks>
public sealed class AzureKeyVaultSource : IKeySource
{
    private const string Permission = "Key Vault Secrets User";
    private readonly SecretClient _client;
    private readonly AzureKeyVaultSourceOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The vault, credential and filters; validated here.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public AzureKeyVaultSource(AzureKeyVaultSourceOptions options, ILogger<AzureKeyVaultSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        KeyVaultNames.Check(options.VaultUri, null, options.Credential, nameof(AzureKeyVaultSourceOptions), failures);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AzureKeyVaultSourceOptions), failures);
        }

        _options = options;
        _client = new SecretClient(options.VaultUri!, options.Credential!, options.ClientOptions ?? new SecretClientOptions());
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Name = $"azure-key-vault:{options.VaultUri!.Host}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">Key Vault refused the call (the message says which permission to grant).</exception>
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        try
        {
            await foreach (var properties in _client.GetPropertiesOfSecretsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Matches(properties))
                {
                    names.Add(properties.Name);
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw KeyVaultErrors.From(exception, _options.VaultUri!, "list", "*", Permission);
        }

        foreach (var name in names)
        {
            KeyVaultSecret secret;
            try
            {
                secret = (await _client.GetSecretAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException failed) when (failed.Status == 404)
            {
                continue;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw KeyVaultErrors.From(exception, _options.VaultUri!, "get", name, Permission);
            }

            if (string.IsNullOrEmpty(secret.Value))
            {
                continue;
            }

            Log.SourceRead(_logger, name);
            yield return new KeyCandidate
            {
                Origin = $"{Name}/{name}",
                Name = CandidateName(name),
                Secret = SecretValue.FromString(secret.Value),
            };
        }
    }

    /// <summary>Returns the source's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    // The selection prefix is not part of the variable name: "llm-OPENAI-API-KEY" with NamePrefix "llm-" is
    // OPENAI_API_KEY, a name the importer's catalog knows (Key Vault names allow only letters, digits and '-').
    private string CandidateName(string secretName)
    {
        var name = secretName;
        if (_options.NamePrefix is { Length: > 0 } prefix && name.Length > prefix.Length && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            name = name[prefix.Length..].TrimStart('-');
        }

        return name.Replace('-', '_').ToUpperInvariant();
    }

    private bool Matches(SecretProperties properties)
    {
        if (properties.Enabled == false || properties.Managed)
        {
            return false;
        }

        if (_options.NamePrefix is { Length: > 0 } prefix && !properties.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var (tag, value) in _options.Tags)
        {
            if (!properties.Tags.TryGetValue(tag, out var actual) || (value.Length > 0 && !string.Equals(actual, value, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
