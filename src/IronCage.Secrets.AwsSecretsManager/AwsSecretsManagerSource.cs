using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>
/// Reads provider keys from Secrets Manager secrets as deployments store them: a JSON map per secret
/// (<c>{"OPENAI_API_KEY": "…", "ANTHROPIC_API_KEY": "…"}</c>) yields one candidate per string field, named by the field;
/// a secret whose string is not a JSON map yields one candidate named after the secret.
/// </summary>
/// <remarks>The principal needs <c>secretsmanager:ListSecrets</c> (unless <see cref="AwsSecretsManagerSourceOptions.SecretIds"/> names the secrets) and <c>secretsmanager:GetSecretValue</c>.</remarks>
public sealed class AwsSecretsManagerSource : IKeySource
{
    private readonly SecretsManagerClient _client;
    private readonly AwsSecretsManagerSourceOptions _options;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The region, credentials and selection; validated here.</param>
    /// <param name="httpClient">The HTTP client, or <see langword="null"/> for a new one.</param>
    /// <param name="time">The time requests are signed with; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public AwsSecretsManagerSource(AwsSecretsManagerSourceOptions options, HttpClient? httpClient = null, TimeProvider? time = null, ILogger<AwsSecretsManagerSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        AwsSecretsManagerOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _client = new SecretsManagerClient(httpClient ?? new HttpClient(), options, time ?? TimeProvider.System);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Name = $"aws-secrets-manager:{options.Region}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">The service refused the call (the message says which permission to grant).</exception>
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var secretId in await SelectAsync(cancellationToken).ConfigureAwait(false))
        {
            var value = await _client.GetSecretValueAsync(secretId, cancellationToken).ConfigureAwait(false);
            if (value is null || string.IsNullOrEmpty(value.SecretString))
            {
                continue;
            }

            var candidates = Candidates(value);
            Log.SourceRead(_logger, value.Name, candidates.Count);
            foreach (var candidate in candidates)
            {
                yield return candidate;
            }
        }
    }

    /// <summary>Returns the source's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private List<KeyCandidate> Candidates(SecretsManagerValue value)
    {
        var origin = $"{Name}/{value.Name}";
        var candidates = new List<KeyCandidate>();
        try
        {
            using var document = JsonDocument.Parse(value.SecretString);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in document.RootElement.EnumerateObject())
                {
                    if (field.Value.ValueKind == JsonValueKind.String && field.Value.GetString() is { Length: > 0 } text)
                    {
                        candidates.Add(new KeyCandidate { Origin = $"{origin}#{field.Name}", Name = field.Name, Secret = SecretValue.FromString(text) });
                    }
                }

                return candidates;
            }
        }
        catch (JsonException)
        {
            // Not JSON: the whole string is one key.
        }

        var name = value.Name[(value.Name.LastIndexOf('/') + 1)..].Replace('-', '_').ToUpperInvariant();
        candidates.Add(new KeyCandidate { Origin = origin, Name = name, Secret = SecretValue.FromString(value.SecretString) });
        return candidates;
    }

    private async Task<List<string>> SelectAsync(CancellationToken cancellationToken)
    {
        if (_options.SecretIds.Count > 0)
        {
            return [.. _options.SecretIds];
        }

        var selected = new List<string>();
        string? next = null;
        do
        {
            var (entries, token) = await _client.ListSecretsAsync(_options.NamePrefix, _options.Tags.Keys, next, cancellationToken).ConfigureAwait(false);
            selected.AddRange(entries.Where(e => _options.Tags.All(t => e.Tags.TryGetValue(t.Key, out var v) && (t.Value.Length == 0 || string.Equals(v, t.Value, StringComparison.Ordinal)))).Select(e => e.Arn));
            next = token;
        }
        while (next is not null);
        return selected;
    }
}
