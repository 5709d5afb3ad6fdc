using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using IronCage.Rotation;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets.Kubernetes;

/// <summary>
/// Writes each rotated key of one managed key to one key of a Kubernetes Secret with a JSON merge patch (the other keys
/// are kept), then restarts the named Deployments the way <c>kubectl rollout restart</c> does (the pod template's
/// <c>kubectl.kubernetes.io/restartedAt</c> annotation). Idempotent: a Secret that already holds the value is not
/// patched, and a Deployment already restarted for the version (<c>ironcage.io/restarted-for</c>) is not restarted
/// again. The receipt carries the Secret's <c>resourceVersion</c>.
/// </summary>
/// <remarks>
/// The service account needs a Role with <c>get</c> and <c>patch</c> on <c>secrets</c> (restrict it with
/// <c>resourceNames</c>) and, to restart, <c>get</c> and <c>patch</c> on <c>deployments</c> in the <c>apps</c> group.
/// </remarks>
public sealed class KubernetesSecretTarget : IKeyDistributionTarget, IKeyAdoptionReporter, IDisposable
{
    private readonly k8s.Kubernetes _client;
    private readonly KubernetesSecretTargetOptions _options;
    private readonly KeyReference _key;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _store;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The Secret, key, Deployments and connection; validated here.</param>
    /// <param name="time">The time restarts are stamped with; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public KubernetesSecretTarget(KubernetesSecretTargetOptions options, TimeProvider? time = null, ILogger<KubernetesSecretTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        KubernetesSecretTargetOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _key = KeyReference.Parse(options.Key);
        var configuration = options.Configuration ?? KubernetesClientConfiguration.BuildDefaultConfig();
        _client = new k8s.Kubernetes(configuration);
        _time = time ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _store = $"Kubernetes {configuration.Host}";
        Name = $"kubernetes:{options.Namespace}/{options.SecretName}#{options.DataKey}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool AppliesTo(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Reference == _key;
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">The API server refused the call (the message says which RBAC rule to add).</exception>
    public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return WriteAsync(distribution, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">The API server refused the call (the message says which RBAC rule to add).</exception>
    public Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return WriteAsync(previous, cancellationToken);
    }

    /// <summary>Returns whether the cluster must report adoption of <paramref name="key"/>'s versions: only when this target restarts Deployments.</summary>
    /// <param name="key">The managed key being rotated.</param>
    /// <returns><see langword="true"/> for this target's key when <see cref="KubernetesSecretTargetOptions.RestartDeployments"/> names any.</returns>
    bool IKeyAdoptionReporter.AppliesTo(ManagedKey key) => AppliesTo(key) && _options.RestartDeployments.Count > 0;

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">The API server refused the call (the message says which RBAC rule to add).</exception>
    public async ValueTask<bool> HasAdoptedAsync(ManagedKey key, string versionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        foreach (var name in _options.RestartDeployments)
        {
            var deployment = await CallAsync(() => _client.AppsV1.ReadNamespacedDeploymentAsync(name, _options.Namespace, cancellationToken: cancellationToken), "get", "deployments", "apps", name).ConfigureAwait(false);
            var waiting = RolloutWait(deployment, versionId);
            if (waiting is not null)
            {
                Log.RolloutPending(_logger, _options.Namespace, name, key.Reference, versionId, waiting);
                return false;
            }
        }

        return true;
    }

    /// <summary>Disposes the API client.</summary>
    public void Dispose() => _client.Dispose();

    /// <summary>Returns the target's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private async Task<KeyDistributionReceipt> WriteAsync(KeyDistribution distribution, CancellationToken cancellationToken)
    {
        var keyName = distribution.Key.Reference.ToString();
        var versionId = distribution.Version.VersionId;
        var secret = await CallAsync(() => _client.CoreV1.ReadNamespacedSecretAsync(_options.SecretName, _options.Namespace, cancellationToken: cancellationToken), "get", "secrets", string.Empty, _options.SecretName).ConfigureAwait(false);
        string? resourceVersion;
        var alreadyCurrent = secret.Data is not null && secret.Data.TryGetValue(_options.DataKey, out var bytes) && distribution.Secret.Matches(Encoding.UTF8.GetString(bytes));
        if (alreadyCurrent)
        {
            resourceVersion = secret.Metadata?.ResourceVersion;
            Log.AlreadyCurrent(_logger, _options.Namespace, _options.SecretName, _options.DataKey, keyName, versionId);
        }
        else
        {
            var encoded = distribution.Secret.UseBytes(0, static (value, _) => Convert.ToBase64String(value));
            var patch = new JsonObject { ["data"] = new JsonObject { [_options.DataKey] = encoded } }.ToJsonString();
            var patched = await CallAsync(() => _client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), _options.SecretName, _options.Namespace, cancellationToken: cancellationToken), "patch", "secrets", string.Empty, _options.SecretName).ConfigureAwait(false);
            resourceVersion = patched.Metadata?.ResourceVersion;
            Log.Written(_logger, keyName, versionId, distribution.Version.DisplayHint, _options.Namespace, _options.SecretName, _options.DataKey, resourceVersion);
        }

        var restarted = false;
        foreach (var deployment in _options.RestartDeployments)
        {
            restarted |= await RestartAsync(deployment, keyName, versionId, cancellationToken).ConfigureAwait(false);
        }

        return new KeyDistributionReceipt { TargetVersion = resourceVersion, AlreadyCurrent = alreadyCurrent && !restarted };
    }

    private async Task<bool> RestartAsync(string deployment, string keyName, string versionId, CancellationToken cancellationToken)
    {
        var current = await CallAsync(() => _client.AppsV1.ReadNamespacedDeploymentAsync(deployment, _options.Namespace, cancellationToken: cancellationToken), "get", "deployments", "apps", deployment).ConfigureAwait(false);
        var annotations = current.Spec?.Template?.Metadata?.Annotations;
        if (annotations is not null && annotations.TryGetValue(KubernetesConstants.RestartedForAnnotation, out var restartedFor) && string.Equals(restartedFor, versionId, StringComparison.Ordinal))
        {
            return false;
        }

        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["annotations"] = new JsonObject
                        {
                            [KubernetesConstants.RestartedAtAnnotation] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                            [KubernetesConstants.RestartedForAnnotation] = versionId,
                        },
                    },
                },
            },
        }.ToJsonString();
        var patched = await CallAsync(() => _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), deployment, _options.Namespace, cancellationToken: cancellationToken), "patch", "deployments", "apps", deployment).ConfigureAwait(false);
        Log.Restarted(_logger, _options.Namespace, deployment, keyName, versionId, patched.Metadata?.Generation);
        return true;
    }

    // kubectl rollout status's decision for a Deployment; null when the rollout for versionId is complete.
    private static string? RolloutWait(V1Deployment deployment, string versionId)
    {
        var annotations = deployment.Spec?.Template?.Metadata?.Annotations;
        if (annotations is null || !annotations.TryGetValue(KubernetesConstants.RestartedForAnnotation, out var restartedFor) || !string.Equals(restartedFor, versionId, StringComparison.Ordinal))
        {
            return "not restarted for this version yet";
        }

        var status = deployment.Status;
        if (status is null || (status.ObservedGeneration ?? 0) < (deployment.Metadata?.Generation ?? 0))
        {
            return "waiting for the controller to observe the new generation";
        }

        if (status.Conditions?.Any(c => c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded") == true)
        {
            return "the rollout exceeded its progress deadline";
        }

        var desired = deployment.Spec?.Replicas ?? 1;
        var updated = status.UpdatedReplicas ?? 0;
        if (updated < desired)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{updated} of {desired} replicas updated");
        }

        if ((status.Replicas ?? 0) > updated)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{status.Replicas - updated} old replicas pending termination");
        }

        var available = status.AvailableReplicas ?? 0;
        return available < updated ? string.Create(CultureInfo.InvariantCulture, $"{available} of {updated} updated replicas available") : null;
    }

    private Task<T> CallAsync<T>(Func<Task<T>> call, string verb, string resource, string group, string name)
        => KubernetesCalls.CallAsync(call, _store, _options.Namespace, verb, resource, group, name, "\"get\", \"patch\"", $"Create {resource} {_options.Namespace}/{name} first: the target patches, it never creates.");
}
