using IronCage.Secrets.Kubernetes;
using k8s;

namespace IronCage.Secrets.Cloud.Tests.Kubernetes;

public sealed class KubernetesSecretTargetTests : DistributionTargetScenarios
{
    private const string Ns = "chat";
    private const string SecretName = "llm-keys";
    private KubernetesEmulator _cluster = null!;
    private readonly List<KubernetesSecretTarget> _targets = [];

    private protected override string ExpectedPermission => "[\"get\", \"patch\"] on resource \"secrets\"";

    public override async Task InitializeAsync()
    {
        _cluster = await KubernetesEmulator.StartAsync();
        _cluster.AddSecret(Ns, SecretName, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-old", ["DATABASE_URL"] = "postgres://app@db/app" });
        _cluster.AddDeployment(Ns, "chat-api");
        _cluster.AddDeployment(Ns, "chat-worker");
    }

    public override async Task DisposeAsync()
    {
        _targets.ForEach(t => t.Dispose());
        await _cluster.DisposeAsync();
        Leaks.Dispose();
    }

    [Fact]
    public async Task DistributeAsync_WithDeployments_PatchesTheKeyKeepsOthersAndRestartsEachOnce()
    {
        var target = Target(restart: true);
        using var secret = SecretValue.FromString(NewSecret());
        var version = TestKeys.Version();

        var receipt = await target.DistributeAsync(TestKeys.Distribution(secret, version));
        var resumed = await target.DistributeAsync(TestKeys.Distribution(secret, version));

        _cluster.GetSecretValue(Ns, SecretName, "DATABASE_URL").Should().Be("postgres://app@db/app");
        receipt.TargetVersion.Should().NotBeNullOrEmpty();
        resumed.AlreadyCurrent.Should().BeTrue();
        foreach (var deployment in new[] { "chat-api", "chat-worker" })
        {
            _cluster.GetGeneration(Ns, deployment).Should().Be(2, "one rollout per version, even when resumed");
            _cluster.GetTemplateAnnotation(Ns, deployment, KubernetesConstants.RestartedForAnnotation).Should().Be(version.VersionId);
            _cluster.GetTemplateAnnotation(Ns, deployment, KubernetesConstants.RestartedAtAnnotation).Should().NotBeNullOrEmpty();
        }
    }

    [Fact]
    public async Task DistributeAsync_CrashAfterSecretBeforeRestart_RestartsOnResume()
    {
        using var secret = SecretValue.FromString(NewSecret());
        var version = TestKeys.Version();
        _cluster.FailNext(503, pathContains: "/deployments/");
        var first = () => Target(restart: true).DistributeAsync(TestKeys.Distribution(secret, version));
        (await first.Should().ThrowAsync<SecretStoreException>()).Which.Kind.Should().Be(SecretStoreErrorKind.Transient);

        var resumed = await Target(restart: true).DistributeAsync(TestKeys.Distribution(secret, version));

        resumed.AlreadyCurrent.Should().BeFalse("the restart was still owed");
        _cluster.GetGeneration(Ns, "chat-api").Should().Be(2);
    }

    [Fact]
    public async Task DistributeAsync_SecretMissing_ThrowsNotFoundSayingItNeverCreates()
    {
        var target = Track(new KubernetesSecretTarget(new KubernetesSecretTargetOptions { Key = "openai/prod", Namespace = Ns, SecretName = "absent", DataKey = "OPENAI_API_KEY", Configuration = Configuration(_cluster.Token) }));
        using var secret = SecretValue.FromString(NewSecret());

        var act = () => target.DistributeAsync(TestKeys.Distribution(secret));

        (await act.Should().ThrowAsync<SecretStoreException>()).Which.Message.Should().Contain("never creates");
    }

    [Fact]
    public async Task HasAdoptedAsync_RolloutHeld_WaitsUntilEveryDeploymentFinishedRollingOut()
    {
        _cluster.HoldRollouts = true;
        var target = Target(restart: true);
        using var secret = SecretValue.FromString(NewSecret());
        var version = TestKeys.Version();
        var key = TestKeys.Key();
        (await target.HasAdoptedAsync(key, version.VersionId)).Should().BeFalse("no Deployment was restarted for the version yet");

        await target.DistributeAsync(TestKeys.Distribution(secret, version));
        (await target.HasAdoptedAsync(key, version.VersionId)).Should().BeFalse("both rollouts are in progress: 1 of 2 replicas updated");

        _cluster.CompleteRollout(Ns, "chat-api");
        (await target.HasAdoptedAsync(key, version.VersionId)).Should().BeFalse("chat-worker still runs pods with the old key");

        _cluster.CompleteRollout(Ns, "chat-worker");
        _cluster.IsRolledOut(Ns, "chat-worker").Should().BeTrue();
        (await target.HasAdoptedAsync(key, version.VersionId)).Should().BeTrue();
        (await target.HasAdoptedAsync(key, TestKeys.Version().VersionId)).Should().BeFalse("a later version was never rolled out");
        await AssertNoLeakAsync();
    }

    [Fact]
    public void AppliesTo_AsAdoptionReporter_OnlyWhenItRestartsDeployments()
    {
        var key = TestKeys.Key();

        ((IKeyAdoptionReporter)Target(restart: true)).AppliesTo(key).Should().BeTrue();
        ((IKeyAdoptionReporter)Target(restart: false)).AppliesTo(key).Should().BeFalse("without a rollout there is nothing the cluster can report");
        Target(restart: false).AppliesTo(key).Should().BeTrue("it still distributes");
    }

    private KubernetesClientConfiguration Configuration(string token) => new() { Host = _cluster.BaseAddress.ToString(), AccessToken = token };

    private KubernetesSecretTarget Track(KubernetesSecretTarget target)
    {
        _targets.Add(target);
        return target;
    }

    private KubernetesSecretTarget Target(bool restart = false, bool wrongCredential = false)
    {
        var options = new KubernetesSecretTargetOptions { Key = "openai/prod", Namespace = Ns, SecretName = SecretName, DataKey = "OPENAI_API_KEY", Configuration = Configuration(wrongCredential ? "wrong" : _cluster.Token) };
        if (restart)
        {
            options.RestartDeployments.Add("chat-api");
            options.RestartDeployments.Add("chat-worker");
        }

        return Track(new KubernetesSecretTarget(options, logger: Leaks.Logger<KubernetesSecretTarget>()));
    }

    private protected override IKeyDistributionTarget CreateTarget(bool wrongCredential = false) => Target(restart: true, wrongCredential);

    private protected override Task<string?> ReadStoreAsync() => Task.FromResult(_cluster.GetSecretValue(Ns, SecretName, "OPENAI_API_KEY"));

    private protected override Task<int> WriteCountAsync() => Task.FromResult(_cluster.Patches);

    private protected override void DenyWrites() => _cluster.ReadOnly = true;
}
