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
/// A master-key rotation through <see cref="IKeyRewrapper"/> on a durable store: the re-wrap is stopped right after each
/// batch (its token cancelled, so nothing after the batch runs) and started again by a new host on the same database
/// until it completes; then nothing is left under the old key, every secret (key versions and the new key of an
/// unfinished rotation) opens and its fingerprint matches with the new master key alone, each key was audited once as
/// <c>key.rewrap</c>, and the audit chain verifies. Subclass it and implement <see cref="Persist"/>: every call must
/// point at the same database, fresh for each fact.
/// </summary>
public abstract class KeyRewrapConformanceTests : IAsyncLifetime
{
    private const int KeyCount = 7;
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 22, 9, 0, 0);
    private readonly string _oldMasterKey = LocalMasterKeyProvider.GenerateMasterKey();
    private readonly string _newMasterKey = LocalMasterKeyProvider.GenerateMasterKey();
    private readonly List<ServiceProvider> _providers = [];

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    [ConformanceFact]
    public async Task Rewrap_StoppedAfterEveryBatch_ResumesToNothingUnderTheOldKeyAndEverySecretOpensWithTheNewKeyAlone()
    {
        var (secrets, operation, oldKeyId) = await SeedAsync();
        var runs = 0;
        KeyEncryptionStatus status;
        do
        {
            var host = Host(_newMasterKey, _oldMasterKey);
            using var stop = new CancellationTokenSource();
            var rewrapper = host.GetRequiredService<IKeyRewrapper>();
            var before = await rewrapper.GetStatusAsync();
            try
            {
                var result = await rewrapper.RewrapAsync(new KeyRewrapRequest { BatchSize = 2, Actor = "ops@example.com" }, new StopAfterFirstBatch(stop), stop.Token);
                result.Keys.Should().Be(0, "only the last run gets past a batch: one with no key left");
                result.Operations.Should().Be(1, "the unfinished rotation's new key is re-wrapped after the keys");
            }
            catch (OperationCanceledException)
            {
                stop.IsCancellationRequested.Should().BeTrue("the host stopped right after a batch");
            }

            status = await rewrapper.GetStatusAsync();
            status.Stale.Should().BeLessThan(before.Stale, "every run moves at least one batch on");
            runs++;
        }
        while (status.Stale > 0 && runs < 10);

        runs.Should().Be(5, "7 keys in batches of 2 take four runs stopped after their batch, and the fifth re-wraps the rotation");
        var fresh = Host(_newMasterKey);
        var rewrapped = fresh.GetRequiredService<IKeyRewrapper>();
        var final = await rewrapped.GetStatusAsync();
        final.Stale.Should().Be(0);
        final.IsRetirable(oldKeyId).Should().BeTrue();
        final.Usage.Should().ContainSingle().Which.Should().Be(new KeyEncryptionKeyUsage(final.CurrentKeyId, KeyCount, KeyCount, 1));

        var protector = fresh.GetRequiredService<ISecretProtector>();
        var fingerprinter = fresh.GetRequiredService<ISecretFingerprinter>();
        await foreach (var key in fresh.GetRequiredService<IKeyStore>().ListAsync())
        {
            var version = key.Versions.Should().ContainSingle().Subject;
            version.Secret.KeyEncryptionKeyId.Should().Be(final.CurrentKeyId);
            using var opened = await protector.OpenAsync(version.Secret, new SecretBinding(key.Reference, version.VersionId));
            opened.Reveal().Should().Be(secrets[key.Reference]);
            fingerprinter.Matches(opened, version.Fingerprint).Should().BeTrue("the fingerprint was renewed under the new master key, so leaks are still recognised");
        }

        var stored = (await fresh.GetRequiredService<IRotationStore>().FindActiveAsync(operation.Key))!;
        using (var newKey = await protector.OpenAsync(stored.NewSecret!, new SecretBinding(stored.Key, stored.NewVersionId)))
        {
            newKey.Reveal().Should().Be(secrets[KeyReference.Parse("groq/k0")] + "-next");
            fingerprinter.Matches(newKey, stored.NewFingerprint!).Should().BeTrue();
        }

        var audit = fresh.GetRequiredService<IAuditLog>();
        (await audit.VerifyAsync()).IsValid.Should().BeTrue();
        var rewraps = new List<AuditEvent>();
        await foreach (var record in audit.ReadAsync())
        {
            if (record.Event.Action == AuditAction.KeyRewrap)
            {
                rewraps.Add(record.Event);
            }
        }

        rewraps.Where(e => !e.Details.ContainsKey("operation") && e.Target != "store").Select(e => e.Target).Should().OnlyHaveUniqueItems().And.HaveCount(KeyCount);
        rewraps.Should().ContainSingle(e => e.Details.GetValueOrDefault("operation") == operation.OperationId);
        rewraps.Should().OnlyContain(e => e.Actor == "ops@example.com" && e.Details["kek"] == final.CurrentKeyId);
        rewraps.Where(e => e.Target != "store").Should().OnlyContain(e => e.Details["previous"] == oldKeyId);
    }

    [ConformanceFact]
    public async Task Rewrap_OldMasterKeyNotConfigured_FailsNamingTheSettingAndChangesNothing()
    {
        var (_, _, oldKeyId) = await SeedAsync();
        var rewrapper = Host(_newMasterKey).GetRequiredService<IKeyRewrapper>();

        var run = () => rewrapper.RewrapAsync();

        (await run.Should().ThrowAsync<SecretDecryptionException>()).Which.Message.Should().Contain("RetiredMasterKeys").And.NotContain(_oldMasterKey);
        var status = await Host(_oldMasterKey).GetRequiredService<IKeyRewrapper>().GetStatusAsync();
        status.Usage.Should().ContainSingle().Which.Should().Be(new KeyEncryptionKeyUsage(oldKeyId, KeyCount, KeyCount, 1));
        status.IsRetirable(oldKeyId).Should().BeFalse("every secret still needs it");
    }

    [ConformanceFact]
    public async Task Rewrap_DryRun_CountsAndChangesNothing()
    {
        var (_, _, oldKeyId) = await SeedAsync();
        var rewrapper = Host(_newMasterKey, _oldMasterKey).GetRequiredService<IKeyRewrapper>();

        var dry = await rewrapper.RewrapAsync(new KeyRewrapRequest { DryRun = true });

        dry.Should().Match<KeyRewrapResult>(r => r.DryRun && r.Keys == KeyCount && r.Versions == KeyCount && r.Operations == 1 && r.Batches == 0);
        dry.PreviousKeyIds.Should().Equal(oldKeyId);
        (await rewrapper.GetStatusAsync()).Stale.Should().Be(KeyCount + 1);
    }

    /// <summary>Adds the store under test to the builder; every call points at the same, per-fact database.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    protected abstract IIronCageBuilder Persist(IIronCageBuilder builder);

    private async Task<(Dictionary<KeyReference, string> Secrets, RotationOperation Operation, string OldKeyId)> SeedAsync()
    {
        var host = Host(_oldMasterKey);
        var rotator = host.GetRequiredService<IKeyRotator>();
        var secrets = new Dictionary<KeyReference, string>();
        for (var i = 0; i < KeyCount; i++)
        {
            var reference = KeyReference.Parse($"groq/k{i}");
            using var secret = FakeKeys.Generate(ProviderId.Groq);
            secrets[reference] = secret.Reveal();
            await rotator.RegisterAsync(new KeyRegistration { Reference = reference, Verify = false }, secret);
        }

        // An unfinished rotation holding its new key sealed, as between creation at the provider and storage.
        var protector = host.GetRequiredService<ISecretProtector>();
        var key = KeyReference.Parse("groq/k0");
        var versionId = KeyVersion.NewVersionId();
        using var next = SecretValue.FromString(secrets[key] + "-next");
        var operation = await host.GetRequiredService<IRotationStore>().CreateAsync(new RotationOperation
        {
            OperationId = RotationOperation.NewOperationId(),
            Key = key,
            Reason = RotationReason.Manual,
            Tier = RotationTier.Manual,
            Step = RotationStep.CreatedAtProvider,
            RequestedBy = "ops@example.com",
            RequestedAt = _clock.GetCurrentInstant(),
            UpdatedAt = _clock.GetCurrentInstant(),
            NewVersionId = versionId,
            NewSecret = await protector.SealAsync(next, new SecretBinding(key, versionId)),
            NewFingerprint = host.GetRequiredService<ISecretFingerprinter>().Compute(next),
        });
        return (secrets, operation, host.GetRequiredService<IKeyEncryptionKeyProvider>().CurrentKeyId);
    }

    private ServiceProvider Host(string masterKey, params string[] retired)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(_clock);
        Persist(services.AddIronCage()
            .ProtectKeysWithMasterKey(o =>
            {
                o.MasterKey = masterKey;
                foreach (var old in retired)
                {
                    o.RetiredMasterKeys.Add(old);
                }
            })
            .AddRotation());
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>Stops the run the first time a batch is reported: the batch is written, nothing after it is.</summary>
    private sealed class StopAfterFirstBatch(CancellationTokenSource stop) : IProgress<KeyRewrapProgress>
    {
        public void Report(KeyRewrapProgress value) => stop.Cancel();
    }
}
