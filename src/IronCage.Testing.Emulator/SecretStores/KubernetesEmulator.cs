using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// The subset of the Kubernetes API server IronCage uses: <c>GET</c>/<c>PATCH</c> of
/// <c>/api/v1/namespaces/{ns}/secrets/{name}</c> and <c>/apis/apps/v1/namespaces/{ns}/deployments/{name}</c>, with JSON
/// merge patches (<c>application/merge-patch+json</c>; strategic merge patches are applied the same way, which is exact
/// for the maps IronCage patches). Every write bumps <c>metadata.resourceVersion</c>; a Deployment's pod template change
/// bumps <c>metadata.generation</c>. A missing or wrong bearer token gets a 401 <c>Status</c>, a patch while
/// <see cref="ReadOnly"/> a 403 <c>Status</c> naming the RBAC verb, as the API server answers.
/// </summary>
public sealed class KubernetesEmulator : SecretStoreEmulator
{
    private readonly Dictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private long _resourceVersion = 1000;

    private KubernetesEmulator(TimeProvider? time)
        : base(time)
    {
    }

    /// <summary>Gets the service account token the emulator accepts.</summary>
    public string Token { get; } = "eyJhbGciOiJSUzI1NiJ9.emulator." + NewId(24);

    /// <summary>Gets or sets a value indicating whether patches are denied with 403 (a role with <c>get</c> only).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Gets how many patches were applied.</summary>
    public int Patches { get; private set; }

    /// <summary>
    /// Gets or sets a value indicating whether a rollout started by a pod template change stays in progress (one new pod
    /// surged next to the two old ones, as the Deployment controller reports it mid-rollout) until
    /// <see cref="CompleteRollout"/> is called. When <see langword="false"/> (the default) a rollout completes at once.
    /// </summary>
    public bool HoldRollouts { get; set; }

    /// <summary>Starts a Kubernetes API emulator.</summary>
    /// <param name="time">The time objects are stamped with; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<KubernetesEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new KubernetesEmulator(time);
        await emulator.StartCoreAsync(null, cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Seeds an <c>Opaque</c> Secret.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="name">The Secret's name.</param>
    /// <param name="data">Its keys and (plain) values; they are stored base64-encoded, as the API server does.</param>
    public void AddSecret(string ns, string name, IReadOnlyDictionary<string, string> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var encoded = new JsonObject();
        foreach (var (key, value) in data)
        {
            encoded[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        }

        lock (Sync)
        {
            _objects[Key("secrets", ns, name)] = new JsonObject
            {
                ["kind"] = "Secret",
                ["apiVersion"] = "v1",
                ["metadata"] = Metadata(ns, name),
                ["type"] = "Opaque",
                ["data"] = encoded,
            };
        }
    }

    /// <summary>Seeds a Deployment with one container and an empty pod template annotation map.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="name">The Deployment's name.</param>
    public void AddDeployment(string ns, string name)
    {
        lock (Sync)
        {
            var metadata = Metadata(ns, name);
            metadata["generation"] = 1L;
            _objects[Key("deployments", ns, name)] = new JsonObject
            {
                ["kind"] = "Deployment",
                ["apiVersion"] = "apps/v1",
                ["metadata"] = metadata,
                ["spec"] = new JsonObject
                {
                    ["replicas"] = 2,
                    ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name }, ["annotations"] = new JsonObject() },
                        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = name, ["image"] = "example/" + name + ":1" }) },
                    },
                },
                ["status"] = new JsonObject { ["observedGeneration"] = 1L, ["replicas"] = 2, ["updatedReplicas"] = 2, ["readyReplicas"] = 2, ["availableReplicas"] = 2 },
            };
        }
    }

    /// <summary>Gets a Secret key's decoded value, or <see langword="null"/>.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="name">The Secret's name.</param>
    /// <param name="key">The data key.</param>
    /// <returns>The value.</returns>
    public string? GetSecretValue(string ns, string name, string key)
    {
        lock (Sync)
        {
            return _objects.TryGetValue(Key("secrets", ns, name), out var secret) && secret["data"]?[key]?.GetValue<string>() is { } encoded
                ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded))
                : null;
        }
    }

    /// <summary>Gets a Deployment's pod template annotation, or <see langword="null"/>.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="name">The Deployment's name.</param>
    /// <param name="annotation">The annotation, such as <c>kubectl.kubernetes.io/restartedAt</c>.</param>
    /// <returns>The value.</returns>
    public string? GetTemplateAnnotation(string ns, string name, string annotation)
    {
        lock (Sync)
        {
            return _objects.TryGetValue(Key("deployments", ns, name), out var deployment)
                ? deployment["spec"]?["template"]?["metadata"]?["annotations"]?[annotation]?.GetValue<string>()
                : null;
        }
    }

    /// <summary>Gets a Deployment's <c>metadata.generation</c> (0 when there is no such Deployment).</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="name">The Deployment's name.</param>
    /// <returns>The generation: it grows by one per rollout.</returns>
    public long GetGeneration(string ns, string name)
    {
        lock (Sync)
        {
            return _objects.TryGetValue(Key("deployments", ns, name), out var deployment) ? deployment["metadata"]!["generation"]!.GetValue<long>() : 0;
        }
    }

    /// <summary>Completes a Deployment's rollout held by <see cref="HoldRollouts"/>: every replica updated and available, old pods gone.</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="name">The Deployment's name.</param>
    /// <exception cref="KeyNotFoundException">There is no such Deployment.</exception>
    public void CompleteRollout(string ns, string name)
    {
        lock (Sync)
        {
            var deployment = _objects.TryGetValue(Key("deployments", ns, name), out var found) ? found : throw new KeyNotFoundException($"No Deployment {ns}/{name}.");
            var replicas = deployment["spec"]!["replicas"]!.GetValue<int>();
            deployment["status"] = new JsonObject
            {
                ["observedGeneration"] = deployment["metadata"]!["generation"]!.GetValue<long>(),
                ["replicas"] = replicas,
                ["updatedReplicas"] = replicas,
                ["readyReplicas"] = replicas,
                ["availableReplicas"] = replicas,
            };
            deployment["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Gets whether a Deployment's latest rollout is complete (every replica updated and available, no old pods).</summary>
    /// <param name="ns">The namespace.</param>
    /// <param name="name">The Deployment's name.</param>
    /// <returns><see langword="true"/> when the rollout is complete; <see langword="false"/> when in progress or there is no such Deployment.</returns>
    public bool IsRolledOut(string ns, string name)
    {
        lock (Sync)
        {
            if (!_objects.TryGetValue(Key("deployments", ns, name), out var deployment))
            {
                return false;
            }

            var status = deployment["status"]!;
            var replicas = deployment["spec"]!["replicas"]!.GetValue<int>();
            return status["observedGeneration"]!.GetValue<long>() >= deployment["metadata"]!["generation"]!.GetValue<long>()
                && status["updatedReplicas"]!.GetValue<int>() == replicas
                && status["replicas"]!.GetValue<int>() == replicas
                && status["availableReplicas"]!.GetValue<int>() == replicas;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        if (!string.Equals(BearerToken(context), Token, StringComparison.Ordinal))
        {
            await WriteStatusAsync(context, 401, "Unauthorized", "Unauthorized", null, null).ConfigureAwait(false);
            return;
        }

        var segments = path.Trim('/').Split('/');
        string? resource = null;
        string? ns = null;
        string? name = null;
        if (segments is ["api", "v1", "namespaces", var n1, "secrets", var s1])
        {
            (resource, ns, name) = ("secrets", n1, s1);
        }
        else if (segments is ["apis", "apps", "v1", "namespaces", var n2, "deployments", var d2])
        {
            (resource, ns, name) = ("deployments", n2, d2);
        }

        if (resource is null)
        {
            await WriteStatusAsync(context, 404, "NotFound", "the server could not find the requested resource", null, null).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method))
        {
            await GetAsync(context, resource, ns!, name!).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPatch(context.Request.Method))
        {
            await PatchAsync(context, resource, ns!, name!).ConfigureAwait(false);
        }
        else
        {
            await WriteStatusAsync(context, 405, "MethodNotAllowed", $"the server does not allow this method on the requested resource", name, resource).ConfigureAwait(false);
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string message)
        => WriteStatusAsync(context, statusCode, statusCode switch { 429 => "TooManyRequests", 503 => "ServiceUnavailable", _ => "InternalError" }, message, null, null);

    private static Task WriteStatusAsync(HttpContext context, int code, string reason, string message, string? name, string? kind)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (name is not null)
        {
            status["details"] = new JsonObject { ["name"] = name, ["kind"] = kind };
        }

        return WriteJsonAsync(context, code, status);
    }

    private static string Key(string resource, string ns, string name) => $"{resource}/{ns}/{name}";

    // RFC 7386: objects merge, null deletes, anything else replaces.
    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject patchObject && target[name] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    private JsonObject Metadata(string ns, string name) => new()
    {
        ["name"] = name,
        ["namespace"] = ns,
        ["uid"] = Guid.NewGuid().ToString(),
        ["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture),
        ["creationTimestamp"] = Time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    private async Task GetAsync(HttpContext context, string resource, string ns, string name)
    {
        JsonNode? found;
        lock (Sync)
        {
            found = _objects.TryGetValue(Key(resource, ns, name), out var value) ? value.DeepClone() : null;
        }

        if (found is null)
        {
            await WriteStatusAsync(context, 404, "NotFound", $"{resource} \"{name}\" not found", name, resource).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 200, found).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext context, string resource, string ns, string name)
    {
        var contentType = context.Request.ContentType ?? string.Empty;
        if (!contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal) && !contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
        {
            await WriteStatusAsync(context, 415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json", name, resource).ConfigureAwait(false);
            return;
        }

        if (ReadOnly)
        {
            await WriteStatusAsync(context, 403, "Forbidden", $"{resource} \"{name}\" is forbidden: User \"system:serviceaccount:ironcage:ironcage\" cannot patch resource \"{resource}\" in API group \"{(resource == "secrets" ? string.Empty : "apps")}\" in the namespace \"{ns}\"", name, resource).ConfigureAwait(false);
            return;
        }

        if (ParseJson(await ReadBodyAsync(context).ConfigureAwait(false)) is not JsonObject patch)
        {
            await WriteStatusAsync(context, 400, "BadRequest", "error decoding patch: invalid JSON", name, resource).ConfigureAwait(false);
            return;
        }

        JsonNode? result;
        lock (Sync)
        {
            if (_objects.TryGetValue(Key(resource, ns, name), out var value))
            {
                var templateBefore = value["spec"]?["template"]?.ToJsonString();
                patch.Remove("status");
                Merge(value, patch);
                value["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                if (resource == "deployments" && value["spec"]?["template"]?.ToJsonString() != templateBefore)
                {
                    var generation = value["metadata"]!["generation"]!.GetValue<long>() + 1;
                    value["metadata"]!["generation"] = generation;
                    value["status"]!["observedGeneration"] = generation;
                    if (HoldRollouts)
                    {
                        var replicas = value["spec"]!["replicas"]!.GetValue<int>();
                        value["status"]!["replicas"] = replicas + 1;
                        value["status"]!["updatedReplicas"] = 1;
                        value["status"]!["availableReplicas"] = replicas;
                    }
                }

                Patches++;
                result = value.DeepClone();
            }
            else
            {
                result = null;
            }
        }

        if (result is null)
        {
            await WriteStatusAsync(context, 404, "NotFound", $"{resource} \"{name}\" not found", name, resource).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 200, result).ConfigureAwait(false);
    }
}
