using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Conformance;

/// <summary>
/// A rotation on a durable store whose step writer commits operation, key change and audit records in one transaction:
/// the host stops right after a step is committed (its token is cancelled, so nothing after the commit runs), a new
/// engine on the same database resumes, and the rotation ends with
/// one Current version, one live provider key, the old version revoked, and an audit chain that verifies with exactly
/// one start and one completion.
/// Subclass it and implement <see cref="Persist"/> (every call on the same, per-fact database) and
/// <see cref="AtomicStepStoreName"/>.
/// </summary>
public abstract class RotationCrashConformanceTests
{
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private readonly string _masterKey = LocalMasterKeyProvider.GenerateMasterKey();
    private readonly FakeProviderAdapter _provider;

    protected RotationCrashConformanceTests() => _provider = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

    public static TheoryData<RotationReason, RotationStep> CrashPoints
    {
        get
        {
            var data = new TheoryData<RotationReason, RotationStep>();
            foreach (var reason in new[] { RotationReason.Compromised, RotationReason.Scheduled })
            {
                foreach (var step in new[] { RotationStep.Requested, RotationStep.CreatedAtProvider, RotationStep.StoredPending, RotationStep.Verified, RotationStep.Distributed, RotationStep.Promoted, RotationStep.GracePeriod, RotationStep.PreviousRevoked })
                {
                    data.Add(reason, step);
                }
            }

            return data;
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(CrashPoints))]
    public async Task Rotate_CrashAfterStep_ResumesOnTheSameDatabaseToOneCurrentKeyAndAValidAuditChain(RotationReason reason, RotationStep crashAfter)
    {
        var reference = new KeyReference(ProviderId.OpenAI, "prod");
        string operationId;
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            var id = _provider.AddExistingKey(secret);
            using var stop = new CancellationTokenSource();
            var first = Build(new StopAfter(o => o.Step == crashAfter, stop));
            await using (first)
            {
                var rotator = first.GetRequiredService<IKeyRotator>();
                await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = id, Verify = false }, secret);
                var act = async () =>
                {
                    // A scheduled rotation waits out its grace period before the last steps.
                    var started = await rotator.RotateAsync(reference, reason, cancellationToken: stop.Token);
                    if (started.Step == RotationStep.GracePeriod)
                    {
                        _clock.AdvanceDays(2);
                        await rotator.ResumeAsync(started.OperationId, stop.Token);
                    }
                };

                await act.Should().ThrowAsync<OperationCanceledException>();
                stop.IsCancellationRequested.Should().BeTrue("the host stopped right after the step was committed");
                operationId = (await first.GetRequiredService<IRotationStore>().FindActiveAsync(reference))!.OperationId;
            }
        }

        var second = Build(null);
        await using (second)
        {
            var rotator = second.GetRequiredService<IKeyRotator>();
            var operation = await rotator.ResumeAsync(operationId);
            if (operation.Step == RotationStep.GracePeriod)
            {
                _clock.AdvanceDays(2);
                operation = await rotator.ResumeAsync(operationId);
            }

            operation.Step.Should().Be(RotationStep.Completed);
            var key = await second.GetRequiredService<IKeyStore>().GetAsync(reference);
            key.Versions.Where(v => v.Stage == KeyStage.Current).Select(v => v.VersionId).Should().Equal(operation.NewVersionId);
            key.FindVersion(operation.PreviousVersionId!)!.Stage.Should().Be(KeyStage.Revoked);
            _provider.LiveKeyIds.Should().Equal(operation.NewProviderKeyId);

            var audit = second.GetRequiredService<IAuditLog>();
            (await audit.VerifyAsync()).IsValid.Should().BeTrue();
            var steps = new List<string>();
            await foreach (var record in audit.ReadAsync())
            {
                if (record.Event.Details.TryGetValue("operation", out var op) && op == operationId && record.Event.Details.TryGetValue("step", out var step))
                {
                    steps.Add(step);
                }
            }

            steps.Should().Equal("started", "completed");
        }
    }

    [ConformanceFact]
    public async Task Rotate_CrashBetweenTwoTargets_ResumesCallingOnlyTheUnconfirmedTarget()
    {
        var reference = new KeyReference(ProviderId.OpenAI, "prod");
        var vault = new CountingTarget("vault");
        var gateway = new CountingTarget("gateway");
        string operationId;
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            var id = _provider.AddExistingKey(secret);
            using var stop = new CancellationTokenSource();
            var first = Build(new StopAfter(o => o.Step == RotationStep.Verified && o.DistributedTo.Count == 1, stop), vault, gateway);
            await using (first)
            {
                var rotator = first.GetRequiredService<IKeyRotator>();
                await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = id, Verify = false }, secret);
                var act = async () => await rotator.RotateAsync(reference, RotationReason.Scheduled, cancellationToken: stop.Token);
                await act.Should().ThrowAsync<OperationCanceledException>();
                var stopped = (await first.GetRequiredService<IRotationStore>().FindActiveAsync(reference))!;
                stopped.DistributedTo.Should().ContainSingle().Which.Should().Match<KeyDistributionConfirmation>(c => c.Target == "vault" && c.TargetVersion == "vault-1");
                operationId = stopped.OperationId;
            }
        }

        var second = Build(null, vault, gateway);
        await using (second)
        {
            var operation = await second.GetRequiredService<IKeyRotator>().ResumeAsync(operationId);

            operation.Step.Should().Be(RotationStep.GracePeriod);
            operation.DistributedTo.Select(c => (c.Target, c.TargetVersion)).Should().Equal(("vault", "vault-1"), ("gateway", "gateway-1"));
            vault.Calls.Should().Be(1, "the confirmed target is not called again");
            gateway.Calls.Should().Be(1);
            var records = new List<AuditEvent>();
            await foreach (var record in second.GetRequiredService<IAuditLog>().ReadAsync())
            {
                records.Add(record.Event);
            }

            records.Where(e => e.Details.GetValueOrDefault("step") == "distributed-to-target").Select(e => e.Details["target"]).Should().Equal("vault", "gateway");
            (await second.GetRequiredService<IAuditLog>().VerifyAsync()).IsValid.Should().BeTrue();
        }
    }

    /// <summary>Gets the type name of the store's one-transaction step writer, which this suite puts through a crash.</summary>
    protected abstract string AtomicStepStoreName { get; }

    /// <summary>Adds the store under test to the builder; every call points at the same, per-fact database.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    protected abstract IIronCageBuilder Persist(IIronCageBuilder builder);

    private ServiceProvider Build(StopAfter? stopAfter, params IKeyDistributionTarget[] targets)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(_clock);
        Persist(services.AddIronCage()
            .ProtectKeysWithMasterKey(_masterKey)
            .AddProviderAdapter(_provider)
            .AddRotation());
        foreach (var target in targets)
        {
            services.AddSingleton(target);
        }
        var steps = services.Last(d => d.ServiceType == typeof(IRotationStepStore));
        services.Remove(steps);
        services.AddSingleton<IRotationStepStore>(sp =>
        {
            var inner = (IRotationStepStore)steps.ImplementationFactory!(sp);
            inner.GetType().Name.Should().Be(AtomicStepStoreName, "the one-transaction writer is what this test puts through a crash");
            return stopAfter is null ? inner : new StoppingRotationStepStore(inner, stopAfter.When, stopAfter.Stop);
        });
        return services.BuildServiceProvider();
    }

    /// <summary>Stops the host the first time a write that <paramref name="When"/> matches committed.</summary>
    private sealed record StopAfter(Func<RotationOperation, bool> When, CancellationTokenSource Stop);

    private sealed class CountingTarget(string name) : IKeyDistributionTarget
    {
        private int _calls;

        public string Name { get; } = name;

        public int Calls => Volatile.Read(ref _calls);

        public bool AppliesTo(ManagedKey key) => true;

        public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
            => Task.FromResult(new KeyDistributionReceipt { TargetVersion = $"{Name}-{Interlocked.Increment(ref _calls)}" });

        public Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
