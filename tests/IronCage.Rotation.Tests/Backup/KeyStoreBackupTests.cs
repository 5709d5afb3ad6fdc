using System.Text;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests.Backup;

public sealed class KeyStoreBackupTests
{
    private readonly string _masterKey = LocalMasterKeyProvider.GenerateMasterKey();

    [Fact]
    public async Task Restore_StoreFailsHalfWay_DeletesTheKeysItWroteAndRecordsNoRestore()
    {
        var file = await ExportAsync(3);
        var keys = new FailingKeyStore(failOnCreate: 3);
        var audit = new InMemoryAuditLog();
        await using var target = Host(keys, audit);

        var restore = () => target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(file));

        await restore.Should().ThrowAsync<StoreUnavailableException>();
        keys.Creates.Should().Be(3, "two keys were written before the third failed");
        var left = new List<ManagedKey>();
        await foreach (var key in keys.ListAsync())
        {
            left.Add(key);
        }

        left.Should().BeEmpty("the keys written before the failure are deleted again");
        var actions = new List<AuditAction>();
        await foreach (var record in audit.ReadAsync())
        {
            actions.Add(record.Event.Action);
        }

        actions.Should().NotContain(AuditAction.StoreRestore);
    }

    [Fact]
    public async Task Restore_NotABackup_FailsAsMalformed()
    {
        await using var target = Host(new InMemoryKeyStore(), new InMemoryAuditLog());

        var restore = () => target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(Encoding.UTF8.GetBytes("{\"hello\":1}\n")));

        (await restore.Should().ThrowAsync<StoreBackupException>()).Which.Problem.Should().Be(StoreBackupProblem.Malformed);
    }

    [Fact]
    public async Task Restore_NewerFormatVersion_FailsAsUnsupported()
    {
        var file = Encoding.UTF8.GetString(await ExportAsync(1)).Replace("\"formatVersion\":1,\"backupId\"", "\"formatVersion\":2,\"backupId\"", StringComparison.Ordinal);
        await using var target = Host(new InMemoryKeyStore(), new InMemoryAuditLog());

        var restore = () => target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(Encoding.UTF8.GetBytes(file)));

        var refused = (await restore.Should().ThrowAsync<StoreBackupException>()).Which;
        refused.Problem.Should().Be(StoreBackupProblem.UnsupportedVersion);
        refused.Message.Should().Contain("format version 2");
    }

    private async Task<byte[]> ExportAsync(int count)
    {
        await using var source = Host(new InMemoryKeyStore(), new InMemoryAuditLog());
        var rotator = source.GetRequiredService<IKeyRotator>();
        for (var i = 0; i < count; i++)
        {
            using var secret = FakeKeys.Generate(ProviderId.Groq);
            await rotator.RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.Groq, $"k{i}"), Verify = false }, secret);
        }

        using var file = new MemoryStream();
        await source.GetRequiredService<IKeyStoreBackup>().ExportAsync(file);
        return file.ToArray();
    }

    private ServiceProvider Host(IKeyStore keys, IAuditLog audit)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(keys);
        services.AddSingleton(audit);
        services.AddIronCage().ProtectKeysWithMasterKey(_masterKey).AddRotation();
        return services.BuildServiceProvider();
    }

    /// <summary>An in-memory key store whose Nth create fails as a database that went away would.</summary>
    private sealed class FailingKeyStore(int failOnCreate) : IKeyStore
    {
        private readonly InMemoryKeyStore _inner = new();

        public int Creates { get; private set; }

        public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default)
            => ++Creates == failOnCreate ? throw new StoreUnavailableException("test", isTransient: true, "The test database went away.", null) : _inner.CreateAsync(key, cancellationToken);

        public ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default) => _inner.FindAsync(key, cancellationToken);

        public ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default) => _inner.GetAsync(key, cancellationToken);

        public IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, CancellationToken cancellationToken = default) => _inner.ListAsync(provider, cancellationToken);

        public ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default) => _inner.UpdateAsync(key, cancellationToken);

        public ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, expectedConcurrencyToken, cancellationToken);
    }
}
