using k8s;

namespace IronCage.Secrets.Kubernetes;

/// <summary>Which Kubernetes Secrets <see cref="KubernetesSecretSource"/> reads.</summary>
public sealed class KubernetesSecretSourceOptions
{
    /// <summary>Gets or sets the Secrets' namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>Gets the names of the Secrets to read (at least one); each key of their <c>data</c> is a candidate named by the key (<c>OPENAI_API_KEY</c>).</summary>
    public IList<string> SecretNames { get; } = [];

    /// <summary>Gets or sets the API server connection, or <see langword="null"/> for the in-cluster service account
    /// (or <c>~/.kube/config</c> outside a cluster), as <see cref="KubernetesClientConfiguration.BuildDefaultConfig"/> finds it.</summary>
    public KubernetesClientConfiguration? Configuration { get; set; }
}
