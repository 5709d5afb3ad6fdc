using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets.HashiCorpVault;

/// <summary>
/// Reads provider keys from Vault KV version 2 secrets: each string field of each secret is a candidate named by the
/// field (<c>OPENAI_API_KEY</c>), from <see cref="HashiCorpVaultSourceOptions.Paths"/> and every secret directly in
/// <see cref="HashiCorpVaultSourceOptions.Folder"/>.
/// </summary>
/// <remarks>The token's policy needs <c>["read"]</c> on <c>{mount}/data/…</c> and, for a folder, <c>["list"]</c> on <c>{mount}/metadata/{folder}</c>.</remarks>
public sealed class HashiCorpVaultSource : IKeySource
{
    private readonly VaultClient _client;
    private readonly HashiCorpVaultSourceOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The address, credentials and selection; validated here.</param>
    /// <param name="httpClient">The HTTP client, or <see langword="null"/> for a new one.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public HashiCorpVaultSource(HashiCorpVaultSourceOptions options, HttpClient? httpClient = null, ILogger<HashiCorpVaultSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        HashiCorpVaultOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _client = new VaultClient(httpClient ?? new HttpClient(), options, _logger);
        Name = $"vault:{options.Address!.Host}/{options.Mount}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">Vault refused the call (the message says which capability to grant).</exception>
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var paths = new List<string>(_options.Paths);
        if (_options.Folder is { Length: > 0 } folder)
        {
            var prefix = folder.Trim('/') + "/";
            paths.AddRange((await _client.ListAsync(folder, cancellationToken).ConfigureAwait(false)).Where(k => !k.EndsWith('/')).Select(k => prefix + k));
        }

        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var secret = await _client.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (secret is null)
            {
                continue;
            }

            var candidates = new List<KeyCandidate>();
            foreach (var (field, node) in secret.Data)
            {
                if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
                {
                    candidates.Add(new KeyCandidate { Origin = $"{Name}/{path}#{field}", Name = field, Secret = SecretValue.FromString(text) });
                }
            }

            Log.SourceRead(_logger, path, candidates.Count);
            foreach (var candidate in candidates)
            {
                yield return candidate;
            }
        }
    }

    /// <summary>Returns the source's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;
}
