using System.Security.Cryptography;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IRotationStepStore"/> keeps over the stores it writes to: a step's operation, key
/// change and audit records are all stored (in order, the audit chain intact) with new tokens; a stale key token is a
/// conflict that writes nothing; a stale operation token or a second unfinished operation is a conflict, and an atomic
/// store then writes nothing of the step either. Subclass it and implement <see cref="CreateServices"/>; each fact gets
/// fresh, empty stores.
/// </summary>
public abstract class RotationStepStoreConformanceTests : IAsyncLifetime
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30, 15);
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>Gets a value indicating whether the store commits a step all or nothing.</summary>
    /// <value><see langword="true"/> unless overridden.</value>
    protected virtual bool IsAtomic => true;

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
    public async Task Write_NewOperationWithAudit_StoresBoth()
    {
        var (keys, audit, operations, steps) = Resolve();
        var operation = NewOperation("openai/prod");

        var result = await steps.WriteAsync(new RotationStepWrite { Operation = operation, CreatesOperation = true, Audit = [NewEvent("started")] });

        result.Key.Should().BeNull();
        var stored = await operations.FindAsync(operation.OperationId);
        stored.Should().NotBeNull();
        stored!.ConcurrencyToken.Should().Be(result.Operation.ConcurrencyToken);
        (await StepsAuditedAsync(audit)).Should().Equal("started");
        (await audit.VerifyAsync()).IsValid.Should().BeTrue();
        _ = keys;
    }

    [ConformanceFact]
    public async Task Write_KeyChangeOperationAndAudit_StoresEveryPartWithNewTokens()
    {
        var (keys, audit, operations, steps) = Resolve();
        var key = await keys.CreateAsync(NewKey("openai/prod"));
        var operation = (await steps.WriteAsync(new RotationStepWrite { Operation = NewOperation("openai/prod"), CreatesOperation = true, Audit = [NewEvent("started")] })).Operation;
        var changed = key with { Versions = [.. key.Versions, NewVersion("kv_2", KeyStage.Pending)] };

        var result = await steps.WriteAsync(new RotationStepWrite
        {
            Operation = operation with { Step = RotationStep.StoredPending },
            Key = changed,
            Audit = [NewEvent("first"), NewEvent("second")],
        });

        result.Key.Should().NotBeNull();
        result.Key!.ConcurrencyToken.Should().NotBe(key.ConcurrencyToken);
        result.Operation.ConcurrencyToken.Should().NotBe(operation.ConcurrencyToken);
        var storedKey = await keys.GetAsync(key.Reference);
        storedKey.ConcurrencyToken.Should().Be(result.Key.ConcurrencyToken);
        storedKey.FindVersion("kv_2").Should().NotBeNull();
        storedKey.FindVersion("kv_2")!.Stage.Should().Be(KeyStage.Pending);
        var storedOperation = await operations.FindAsync(operation.OperationId);
        storedOperation!.Step.Should().Be(RotationStep.StoredPending);
        storedOperation.ConcurrencyToken.Should().Be(result.Operation.ConcurrencyToken);
        (await StepsAuditedAsync(audit)).Should().Equal("started", "first", "second");
        (await audit.VerifyAsync()).IsValid.Should().BeTrue();

        // The returned copies carry the tokens the next step writes with.
        var next = await steps.WriteAsync(new RotationStepWrite { Operation = result.Operation with { Step = RotationStep.Verified }, Key = result.Key with { Description = "verified" } });
        (await keys.GetAsync(key.Reference)).Description.Should().Be("verified");
        (await operations.FindAsync(operation.OperationId))!.ConcurrencyToken.Should().Be(next.Operation.ConcurrencyToken);
    }

    [ConformanceFact]
    public async Task Write_StaleKeyToken_IsAConflictAndWritesNothing()
    {
        var (keys, audit, operations, steps) = Resolve();
        var key = await keys.CreateAsync(NewKey("openai/prod"));
        var operation = (await steps.WriteAsync(new RotationStepWrite { Operation = NewOperation("openai/prod"), CreatesOperation = true })).Operation;
        var moved = await keys.UpdateAsync(key with { Description = "changed by someone else" });

        var act = async () => await steps.WriteAsync(new RotationStepWrite { Operation = operation with { Step = RotationStep.Promoted }, Key = key with { Description = "stale" }, Audit = [NewEvent("lost")] });

        await act.Should().ThrowAsync<ConcurrencyConflictException>();
        (await keys.GetAsync(key.Reference)).ConcurrencyToken.Should().Be(moved.ConcurrencyToken);
        (await operations.FindAsync(operation.OperationId))!.Step.Should().Be(RotationStep.Requested);
        (await StepsAuditedAsync(audit)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task Write_StaleOperationToken_IsAConflict()
    {
        var (keys, audit, operations, steps) = Resolve();
        var key = await keys.CreateAsync(NewKey("openai/prod"));
        var operation = (await steps.WriteAsync(new RotationStepWrite { Operation = NewOperation("openai/prod"), CreatesOperation = true })).Operation;
        await operations.UpdateAsync(operation with { Note = "moved on by another engine" });

        var act = async () => await steps.WriteAsync(new RotationStepWrite { Operation = operation with { Step = RotationStep.Promoted }, Key = key with { Description = "promoted" }, Audit = [NewEvent("lost")] });

        await act.Should().ThrowAsync<RotationConflictException>();
        (await operations.FindAsync(operation.OperationId))!.Note.Should().Be("moved on by another engine");
        if (IsAtomic)
        {
            (await keys.GetAsync(key.Reference)).ConcurrencyToken.Should().Be(key.ConcurrencyToken, "nothing of a refused step is written");
            (await StepsAuditedAsync(audit)).Should().BeEmpty();
            (await audit.VerifyAsync()).IsValid.Should().BeTrue();
        }
    }

    [ConformanceFact]
    public async Task Write_CreateWhileAnotherIsUnfinished_IsAConflictAndAuditsNothing()
    {
        var (_, audit, operations, steps) = Resolve();
        var first = (await steps.WriteAsync(new RotationStepWrite { Operation = NewOperation("openai/prod"), CreatesOperation = true, Audit = [NewEvent("first")] })).Operation;

        var act = async () => await steps.WriteAsync(new RotationStepWrite { Operation = NewOperation("openai/prod"), CreatesOperation = true, Audit = [NewEvent("second")] });

        (await act.Should().ThrowAsync<RotationConflictException>()).Which.ActiveOperationId.Should().Be(first.OperationId);
        (await operations.FindActiveAsync(first.Key))!.OperationId.Should().Be(first.OperationId);
        (await StepsAuditedAsync(audit)).Should().Equal("first");
    }

    /// <summary>Builds the services under test: IronCage with a master key, rotation and the stores; one provider per fact.</summary>
    /// <returns>The services.</returns>
    protected abstract ServiceCollection CreateServices();

    /// <summary>Adds IronCage with a fresh master key and rotation to <paramref name="services"/>.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder, for the stores.</returns>
    protected static IIronCageBuilder AddIronCageWithRotation(ServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        return services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddRotation();
    }

    private (IKeyStore Keys, IAuditLog Audit, IRotationStore Operations, IRotationStepStore Steps) Resolve()
    {
        var provider = CreateServices().BuildServiceProvider();
        _providers.Add(provider);
        return (provider.GetRequiredService<IKeyStore>(), provider.GetRequiredService<IAuditLog>(), provider.GetRequiredService<IRotationStore>(), provider.GetRequiredService<IRotationStepStore>());
    }

    private static async Task<List<string>> StepsAuditedAsync(IAuditLog audit)
    {
        var steps = new List<string>();
        await foreach (var record in audit.ReadAsync())
        {
            if (record.Event.Details.TryGetValue("step", out var step))
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private static AuditEvent NewEvent(string step) => new()
    {
        Actor = "scheduler",
        Action = AuditAction.KeyRotate,
        Target = "openai/prod",
        Timestamp = T0,
        Outcome = AuditOutcome.Success,
        Details = new Dictionary<string, string> { ["step"] = step },
    };

    private static RotationOperation NewOperation(string key) => new()
    {
        OperationId = RotationOperation.NewOperationId(),
        Key = KeyReference.Parse(key),
        Reason = RotationReason.Scheduled,
        Tier = RotationTier.Automatic,
        Step = RotationStep.Requested,
        RequestedBy = "scheduler",
        RequestedAt = T0,
        UpdatedAt = T0,
        NewVersionId = KeyVersion.NewVersionId(),
    };

    private static ManagedKey NewKey(string reference) => new()
    {
        Reference = KeyReference.Parse(reference),
        CreatedAt = T0,
        Versions = [NewVersion("kv_1", KeyStage.Current)],
    };

    private static KeyVersion NewVersion(string versionId, KeyStage stage) => new()
    {
        VersionId = versionId,
        Stage = stage,
        CreatedAt = T0,
        DisplayHint = "sk-…" + versionId[^1..],
        Fingerprint = "fp1.conformance." + versionId,
        Secret = new EncryptedSecret
        {
            KeyEncryptionKeyId = "local-0011223344556677",
            WrappedDataKey = RandomNumberGenerator.GetBytes(60),
            Nonce = RandomNumberGenerator.GetBytes(12),
            Ciphertext = RandomNumberGenerator.GetBytes(51),
        },
    };
}
