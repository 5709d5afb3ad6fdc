using NodaTime;

namespace IronCage.Core.Tests.Storage;

public sealed class InMemoryKeyStoreTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 22, 0, 0);

    private static EncryptedSecret Sealed() => new()
    {
        KeyEncryptionKeyId = "local-0011223344556677",
        WrappedDataKey = new byte[60],
        Nonce = new byte[12],
        Ciphertext = new byte[40],
    };

    private static KeyVersion Version(string id, KeyStage stage) => new()
    {
        VersionId = id,
        Stage = stage,
        CreatedAt = Now,
        DisplayHint = "sk-…abcd",
        Fingerprint = "fp1.test." + id,
        Secret = Sealed(),
    };

    private static ManagedKey Key(string reference = "openai/prod") => new()
    {
        Reference = KeyReference.Parse(reference),
        CreatedAt = Now,
        Versions = [Version("kv_1", KeyStage.Current)],
    };

    [Fact]
    public async Task Create_ThenFindAndGet_ReturnTheKeyWithTokenOne()
    {
        var store = new InMemoryKeyStore();
        var created = await store.CreateAsync(Key());

        created.ConcurrencyToken.Should().Be(1);
        (await store.FindAsync(created.Reference)).Should().Be(created);
        (await store.GetAsync(created.Reference)).CurrentVersion!.VersionId.Should().Be("kv_1");
    }

    [Fact]
    public async Task Create_Twice_Throws()
    {
        var store = new InMemoryKeyStore();
        await store.CreateAsync(Key());
        var act = async () => await store.CreateAsync(Key());
        await act.Should().ThrowAsync<ManagedKeyAlreadyExistsException>().WithMessage("*openai/prod*");
    }

    [Fact]
    public async Task Get_Missing_ThrowsNotFoundButFindReturnsNull()
    {
        var store = new InMemoryKeyStore();
        (await store.FindAsync(KeyReference.Parse("openai/none"))).Should().BeNull();
        var act = async () => await store.GetAsync(KeyReference.Parse("openai/none"));
        await act.Should().ThrowAsync<ManagedKeyNotFoundException>();
    }

    [Fact]
    public async Task Update_WithCurrentToken_IncrementsIt()
    {
        var store = new InMemoryKeyStore();
        var key = await store.CreateAsync(Key());
        var updated = await store.UpdateAsync(key.WithVersion(Version("kv_2", KeyStage.Pending)));

        updated.ConcurrencyToken.Should().Be(2);
        updated.PendingVersion!.VersionId.Should().Be("kv_2");
    }

    [Fact]
    public async Task Update_WithStaleToken_IsAConcurrencyConflict()
    {
        var store = new InMemoryKeyStore();
        var key = await store.CreateAsync(Key());
        await store.UpdateAsync(key with { Description = "first writer" });

        var act = async () => await store.UpdateAsync(key with { Description = "second writer" });
        var conflict = (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which;
        conflict.ExpectedToken.Should().Be(1);
        conflict.ActualToken.Should().Be(2);
        conflict.Message.Should().Contain("Re-read");
        (await store.GetAsync(key.Reference)).Description.Should().Be("first writer");
    }

    [Fact]
    public async Task Update_Concurrently_ExactlyOneWriterWinsPerToken()
    {
        var store = new InMemoryKeyStore();
        var key = await store.CreateAsync(Key());
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.UpdateAsync(key with { Description = "writer " + i });
                return true;
            }
            catch (ConcurrencyConflictException)
            {
                return false;
            }
        })));

        outcomes.Count(won => won).Should().Be(1);
        (await store.GetAsync(key.Reference)).ConcurrencyToken.Should().Be(2);
    }

    [Fact]
    public async Task Update_BreakingAnInvariant_IsRefused()
    {
        var store = new InMemoryKeyStore();
        var key = await store.CreateAsync(Key());
        var act = async () => await store.UpdateAsync(key.WithVersion(Version("kv_2", KeyStage.Current)));
        await act.Should().ThrowAsync<IronCageException>().WithMessage("*2 Current versions*");
    }

    [Fact]
    public async Task Update_Deleted_IsAConflictWithoutActualToken()
    {
        var store = new InMemoryKeyStore();
        var key = await store.CreateAsync(Key());
        await store.DeleteAsync(key.Reference, key.ConcurrencyToken);

        var act = async () => await store.UpdateAsync(key);
        (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which.ActualToken.Should().BeNull();
    }

    [Fact]
    public async Task Delete_WithStaleToken_IsRefused()
    {
        var store = new InMemoryKeyStore();
        var key = await store.CreateAsync(Key());
        await store.UpdateAsync(key);
        var act = async () => await store.DeleteAsync(key.Reference, 1);
        await act.Should().ThrowAsync<ConcurrencyConflictException>();
        (await store.FindAsync(key.Reference)).Should().NotBeNull();
    }

    [Fact]
    public async Task List_FiltersByProviderAndOrdersByReference()
    {
        var store = new InMemoryKeyStore();
        foreach (var reference in new[] { "openai/z", "groq/a", "openai/a", "anthropic/m" })
        {
            await store.CreateAsync(Key(reference));
        }

        var all = new List<string>();
        await foreach (var key in store.ListAsync())
        {
            all.Add(key.Reference.ToString());
        }

        var openai = new List<string>();
        await foreach (var key in store.ListAsync(ProviderId.OpenAI))
        {
            openai.Add(key.Reference.ToString());
        }

        all.Should().Equal("anthropic/m", "groq/a", "openai/a", "openai/z");
        openai.Should().Equal("openai/a", "openai/z");
    }

    [Fact]
    public async Task Operations_HonourCancellation()
    {
        var store = new InMemoryKeyStore();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var act = async () => await store.CreateAsync(Key(), cts.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }
}
