using System.Runtime.CompilerServices;
using System.Text;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IronCage.Secrets.Kubernetes;

/// <summary>
/// Reads provider keys from Kubernetes Secrets through the API server: each key of each named Secret's <c>data</c> is a
/// candidate named by the key (<c>OPENAI_API_KEY</c>), its value decoded from base64 as UTF-8 text. Values that are not
/// text (certificates, binary blobs) are skipped.
/// </summary>
/// <remarks>
/// The service account needs a Role in the namespace with verbs <c>["get"]</c> on resource <c>secrets</c>, limited with
/// <c>resourceNames</c> to the Secrets it reads. For a Secret mounted into the pod as a volume,
/// <see cref="KeyPerFileKeySource"/> reads the same keys from the files without any API permission.
/// </remarks>
public sealed class KubernetesSecretSource : IKeySource, IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly KubernetesSecretSourceOptions _options;
    private readonly k8s.Kubernetes _client;
    private readonly ILogger _logger;
    private readonly string _store;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The namespace, Secrets and connection; validated here.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public KubernetesSecretSource(KubernetesSecretSourceOptions options, ILogger<KubernetesSecretSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = KubernetesSecretTargetOptionsValidator.ValidateSource(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(KubernetesSecretSourceOptions), failures);
        }

        _options = options;
        var configuration = options.Configuration ?? KubernetesClientConfiguration.BuildDefaultConfig();
        _client = new k8s.Kubernetes(configuration);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _store = $"Kubernetes {configuration.Host}";
        Name = $"kubernetes:{options.Namespace}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">The API server refused the call, or a named Secret does not exist (the message says what to fix).</exception>
    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var secretName in _options.SecretNames.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var secret = await KubernetesCalls.CallAsync(
                () => _client.CoreV1.ReadNamespacedSecretAsync(secretName, _options.Namespace, cancellationToken: cancellationToken),
                _store,
                _options.Namespace,
                "get",
                "secrets",
                string.Empty,
                secretName,
                "\"get\"",
                $"Check the name and the namespace: there is no Secret {_options.Namespace}/{secretName}.").ConfigureAwait(false);

            var candidates = new List<KeyCandidate>();
            var skipped = 0;
            foreach (var (dataKey, bytes) in (secret.Data ?? new Dictionary<string, byte[]>()).OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                if (ToText(bytes) is not { Length: > 0 } text)
                {
                    skipped++;
                    continue;
                }

                candidates.Add(new KeyCandidate { Origin = $"{Name}/{secretName}#{dataKey}", Name = dataKey, Secret = SecretValue.FromString(text) });
            }

            Log.SourceRead(_logger, _options.Namespace, secretName, candidates.Count, skipped);
            foreach (var candidate in candidates)
            {
                yield return candidate;
            }
        }
    }

    /// <summary>Disposes the API client.</summary>
    public void Dispose() => _client.Dispose();

    /// <summary>Returns the source's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    /// <summary>The value as text, trailing line breaks trimmed (as <c>kubectl create secret --from-file</c> keeps them), or <see langword="null"/> when it is not UTF-8 text.</summary>
    private static string? ToText(byte[]? bytes)
    {
        if (bytes is null || bytes.Length == 0)
        {
            return null;
        }

        try
        {
            var text = StrictUtf8.GetString(bytes).TrimEnd('\r', '\n');
            return text.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 ? null : text;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
