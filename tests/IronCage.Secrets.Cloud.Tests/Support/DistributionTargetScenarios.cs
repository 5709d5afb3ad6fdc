namespace IronCage.Secrets.Cloud.Tests;

/// <summary>
/// The store-specific scenarios every cloud distribution target passes against its emulator, beyond the shared
/// contract in tests/IronCage.Conformance (<c>KeyDistributionTargetConformanceTests</c>, subclassed per target as
/// <c>*TargetConformanceTests</c>: new value held, same version confirmed, later rotation, restore, receipt without the
/// value, cancellation): the write counts of a repeated or resumed call, a wrong credential, a missing permission,
/// another managed key, and no value in the logs.
/// </summary>
public abstract class DistributionTargetScenarios : IAsyncLifetime
{
    private protected LeakCheck Leaks { get; } = new();

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task DistributeAsync_CalledTwice_WritesOneVersion()
    {
        var target = CreateTarget();
        using var secret = SecretValue.FromString(NewSecret());
        var version = TestKeys.Version();
        var first = await target.DistributeAsync(TestKeys.Distribution(secret, version));
        var writes = await WriteCountAsync();

        var second = await target.DistributeAsync(TestKeys.Distribution(secret, version));

        second.AlreadyCurrent.Should().BeTrue();
        second.TargetVersion.Should().Be(first.TargetVersion);
        (await WriteCountAsync()).Should().Be(writes);
        await AssertNoLeakAsync(target, first, second);
    }

    [Fact]
    public async Task DistributeAsync_ResumedByAnotherInstance_WritesOneVersion()
    {
        using var secret = SecretValue.FromString(NewSecret());
        var version = TestKeys.Version();
        await CreateTarget().DistributeAsync(TestKeys.Distribution(secret, version));
        var writes = await WriteCountAsync();

        var resumed = await CreateTarget().DistributeAsync(TestKeys.Distribution(secret, version));

        resumed.AlreadyCurrent.Should().BeTrue();
        (await WriteCountAsync()).Should().Be(writes);
    }

    [Fact]
    public async Task RestoreAsync_AfterDistribute_StoreHoldsPreviousValue()
    {
        var target = CreateTarget();
        var previousValue = NewSecret();
        using var previous = SecretValue.FromString(previousValue);
        using var next = SecretValue.FromString(NewSecret());
        var previousVersion = TestKeys.Version();
        await target.DistributeAsync(TestKeys.Distribution(previous, previousVersion, "op_0"));
        await target.DistributeAsync(TestKeys.Distribution(next, operationId: "op_1"));

        await target.RestoreAsync(TestKeys.Distribution(previous, previousVersion, "op_1"));
        var writes = await WriteCountAsync();
        await target.RestoreAsync(TestKeys.Distribution(previous, previousVersion, "op_1"));

        (await ReadStoreAsync()).Should().Be(previousValue);
        (await WriteCountAsync()).Should().Be(writes, "a repeated restore writes nothing");
        await AssertNoLeakAsync(target);
    }

    [Fact]
    public async Task DistributeAsync_WrongCredential_ThrowsUnauthenticatedWithoutTheSecret()
    {
        var target = CreateTarget(wrongCredential: true);
        var value = NewSecret();
        using var secret = SecretValue.FromString(value);

        var act = () => target.DistributeAsync(TestKeys.Distribution(secret));

        var thrown = (await act.Should().ThrowAsync<SecretStoreException>()).Which;
        thrown.Kind.Should().Be(SecretStoreErrorKind.Unauthenticated);
        thrown.Message.Should().NotContain(value).And.MatchRegex("(?i)check|set|grant");
        thrown.ToString().Should().NotContain(value);
        await AssertNoLeakAsync(target, thrown);
    }

    [Fact]
    public async Task DistributeAsync_MissingPermission_ThrowsForbiddenNamingThePermission()
    {
        var target = CreateTarget();
        DenyWrites();
        var value = NewSecret();
        using var secret = SecretValue.FromString(value);

        var act = () => target.DistributeAsync(TestKeys.Distribution(secret));

        var thrown = (await act.Should().ThrowAsync<SecretStoreException>()).Which;
        thrown.Kind.Should().Be(SecretStoreErrorKind.Forbidden);
        thrown.Message.Should().Contain(ExpectedPermission).And.NotContain(value);
        await AssertNoLeakAsync(target, thrown);
    }

    [Fact]
    public void AppliesTo_AnotherManagedKey_IsFalse()
    {
        var target = CreateTarget();

        target.AppliesTo(TestKeys.Key(new KeyReference(ProviderId.OpenAI, "staging"))).Should().BeFalse();
    }

    /// <summary>Gets a text the Forbidden message must contain (the role, action or policy capability to grant).</summary>
    private protected abstract string ExpectedPermission { get; }

    private protected abstract IKeyDistributionTarget CreateTarget(bool wrongCredential = false);

    /// <summary>Reads the value the store now serves to consumers.</summary>
    private protected abstract Task<string?> ReadStoreAsync();

    /// <summary>Counts the writes the store has seen (versions, patches).</summary>
    private protected abstract Task<int> WriteCountAsync();

    private protected abstract void DenyWrites();

    private protected string NewSecret()
    {
        var value = FakeKeys.GenerateText(ProviderId.OpenAI);
        Leaks.Secret(value);
        return value;
    }

    private protected Task AssertNoLeakAsync(params object?[] things)
    {
        foreach (var thing in things)
        {
            Leaks.Capture(thing);
        }

        Leaks.Registry.FindLeaks().Should().BeEmpty();
        return Task.CompletedTask;
    }
}
