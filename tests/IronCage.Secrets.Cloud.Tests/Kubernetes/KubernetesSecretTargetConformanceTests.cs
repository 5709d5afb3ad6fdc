using IronCage.Conformance;
using IronCage.Secrets.Kubernetes;
using k8s;

namespace IronCage.Secrets.Cloud.Tests.Kubernetes;

/// <summary>The shared distribution-target contract, for <see cref="KubernetesSecretTarget"/> against the Kubernetes emulator (the Secret exists without the data key).</summary>
public sealed class KubernetesSecretTargetConformanceTests : KeyDistributionTargetConformanceTests
{
    private const string Ns = "apps";
    private const string SecretName = "conformance-llm";
    private readonly List<KubernetesSecretTarget> _targets = [];
    private KubernetesEmulator _cluster = null!;

    public override async Task InitializeAsync()
    {
        _cluster = await KubernetesEmulator.StartAsync();
        _cluster.AddSecret(Ns, SecretName, new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://app@db/app" });
    }

    public override async Task DisposeAsync()
    {
        _targets.ForEach(t => t.Dispose());
        await _cluster.DisposeAsync();
    }

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key)
    {
        var target = new KubernetesSecretTarget(new KubernetesSecretTargetOptions
        {
            Key = key.ToString(),
            Namespace = Ns,
            SecretName = SecretName,
            DataKey = "OPENAI_API_KEY",
            Configuration = new KubernetesClientConfiguration { Host = _cluster.BaseAddress.ToString(), AccessToken = _cluster.Token },
        });
        _targets.Add(target);
        return Task.FromResult<IKeyDistributionTarget>(target);
    }

    protected override Task<string?> ReadHeldValueAsync() => Task.FromResult(_cluster.GetSecretValue(Ns, SecretName, "OPENAI_API_KEY"));
}
