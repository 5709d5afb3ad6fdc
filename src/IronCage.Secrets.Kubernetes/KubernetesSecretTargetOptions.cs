using k8s;

namespace IronCage.Secrets.Kubernetes;

/// <summary>Where <see cref="KubernetesSecretTarget"/> writes a managed key: one key of one Secret, and which Deployments to restart.</summary>
public sealed class KubernetesSecretTargetOptions
{
    /// <summary>Gets or sets the managed key this target holds, as <c>provider/name</c> (<c>openai/prod</c>).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Gets or sets the Secret's namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>Gets or sets the Secret's name. The Secret must exist; the other keys of its <c>data</c> are kept.</summary>
    public string SecretName { get; set; } = string.Empty;

    /// <summary>Gets or sets the key of the Secret's <c>data</c> that holds the API key (<c>OPENAI_API_KEY</c>).</summary>
    public string DataKey { get; set; } = string.Empty;

    /// <summary>Gets the Deployments (in <see cref="Namespace"/>) to restart after a write, for pods that read the key
    /// from an environment variable (a mounted Secret volume is refreshed by the kubelet without a restart).</summary>
    public IList<string> RestartDeployments { get; } = [];

    /// <summary>Gets or sets the API server connection, or <see langword="null"/> for the in-cluster service account
    /// (or <c>~/.kube/config</c> outside a cluster), as <see cref="KubernetesClientConfiguration.BuildDefaultConfig"/> finds it.</summary>
    public KubernetesClientConfiguration? Configuration { get; set; }
}
