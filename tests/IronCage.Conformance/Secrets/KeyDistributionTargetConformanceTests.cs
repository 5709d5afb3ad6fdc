using System.Security.Cryptography;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IKeyDistributionTarget"/> keeps: after <see cref="IKeyDistributionTarget.DistributeAsync"/>
/// returns the target holds the new value; distributing the same version again confirms without a second write
/// (<see cref="KeyDistributionReceipt.AlreadyCurrent"/>); <see cref="IKeyDistributionTarget.RestoreAsync"/> puts the
/// previous value back, also when called twice; a later rotation replaces the value again; cancellation is honoured;
/// and no value shows in the target's name, its receipts or <see cref="KeyDistribution.ToString"/>. Subclass it,
/// implement <see cref="CreateTargetAsync"/> and <see cref="ReadHeldValueAsync"/>.
/// </summary>
public abstract class KeyDistributionTargetConformanceTests : IAsyncLifetime
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 12, 1, 8, 0);

    /// <summary>Gets the managed key every fact distributes (a target under test must apply to it).</summary>
    protected virtual KeyReference KeyReference { get; } = new(ProviderId.OpenAI, "prod");

    /// <summary>Gets a value indicating whether the target can tell that it already holds a value and says so in
    /// <see cref="KeyDistributionReceipt.AlreadyCurrent"/> (a fire-and-forget webhook may not).</summary>
    protected virtual bool ReportsAlreadyCurrent => true;

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    [ConformanceFact]
    public async Task AppliesTo_TheConfiguredKey_IsTrue()
    {
        var target = await CreateTargetAsync(KeyReference);

        target.AppliesTo(Key("kv_1")).Should().BeTrue();
        target.Name.Should().NotBeNullOrWhiteSpace();
    }

    [ConformanceFact]
    public async Task DistributeAsync_NewVersion_TargetHoldsIt()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(KeyReference.Provider);

        var receipt = await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        receipt.AlreadyCurrent.Should().BeFalse();
        (await ReadHeldValueAsync()).Should().Be(secret.Reveal());
    }

    [ConformanceFact]
    public async Task DistributeAsync_SameVersionAgain_ConfirmsWithoutAnotherWrite()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(KeyReference.Provider);
        await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        var again = await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        if (ReportsAlreadyCurrent)
        {
            again.AlreadyCurrent.Should().BeTrue("a resumed rotation must not write a second copy");
        }

        (await ReadHeldValueAsync()).Should().Be(secret.Reveal());
    }

    [ConformanceFact]
    public async Task DistributeAsync_ALaterRotation_ReplacesTheValue()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var first = FakeKeys.Generate(KeyReference.Provider);
        using var second = FakeKeys.Generate(KeyReference.Provider);
        await target.DistributeAsync(Distribution("op_1", "kv_2", first));

        var receipt = await target.DistributeAsync(Distribution("op_2", "kv_3", second));

        receipt.AlreadyCurrent.Should().BeFalse();
        (await ReadHeldValueAsync()).Should().Be(second.Reveal());
    }

    [ConformanceFact]
    public async Task RestoreAsync_AfterDistribute_TargetHoldsThePreviousValueAgain()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var previous = FakeKeys.Generate(KeyReference.Provider);
        using var next = FakeKeys.Generate(KeyReference.Provider);
        await target.DistributeAsync(Distribution("op_0", "kv_1", previous));
        await target.DistributeAsync(Distribution("op_1", "kv_2", next));

        await target.RestoreAsync(Distribution("op_1", "kv_1", previous));
        await target.RestoreAsync(Distribution("op_1", "kv_1", previous));

        (await ReadHeldValueAsync()).Should().Be(previous.Reveal());
    }

    [ConformanceFact]
    public async Task DistributeAsync_Receipt_NeverShowsTheValue()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(KeyReference.Provider);
        var distribution = Distribution("op_1", "kv_2", secret);

        var receipt = await target.DistributeAsync(distribution);

        var value = secret.Reveal();
        (receipt.TargetVersion ?? string.Empty).Should().NotContain(value);
        target.Name.Should().NotContain(value);
        distribution.ToString().Should().NotContain(value);
    }

    [ConformanceFact]
    public async Task DistributeAsync_Cancelled_Throws()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(KeyReference.Provider);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var act = () => target.DistributeAsync(Distribution("op_1", "kv_2", secret), cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>Creates the target, configured for <paramref name="key"/>, over a fresh, empty destination.</summary>
    /// <param name="key">The managed key the target holds a copy of.</param>
    /// <returns>The target.</returns>
    protected abstract Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key);

    /// <summary>Reads the value the destination holds now, straight from it (not through the target), or
    /// <see langword="null"/> when it holds none.</summary>
    /// <returns>The held value.</returns>
    protected abstract Task<string?> ReadHeldValueAsync();

    /// <summary>Builds the distribution of one version of <see cref="KeyReference"/>.</summary>
    /// <param name="operationId">The rotation operation id.</param>
    /// <param name="versionId">The version id.</param>
    /// <param name="secret">The version's value.</param>
    /// <returns>The distribution.</returns>
    protected KeyDistribution Distribution(string operationId, string versionId, SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Key(versionId, secret.DisplayHint);
        return new KeyDistribution { OperationId = operationId, Key = key, Version = key.Versions[0], Secret = secret };
    }

    private ManagedKey Key(string versionId, string hint = "sk-…test") => new()
    {
        Reference = KeyReference,
        CreatedAt = T0,
        Versions =
        [
            new KeyVersion
            {
                VersionId = versionId,
                Stage = KeyStage.Pending,
                CreatedAt = T0,
                DisplayHint = hint,
                Fingerprint = "fp1.test." + versionId,
                Secret = new EncryptedSecret
                {
                    KeyEncryptionKeyId = "local-0011223344556677",
                    WrappedDataKey = RandomNumberGenerator.GetBytes(60),
                    Nonce = RandomNumberGenerator.GetBytes(12),
                    Ciphertext = RandomNumberGenerator.GetBytes(51),
                },
            },
        ],
    };
}
