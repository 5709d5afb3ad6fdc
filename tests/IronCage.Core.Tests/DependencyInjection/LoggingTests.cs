using IronCage.Auditing;
using IronCage.Core.Tests.Support;
using IronCage.Encryption;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Core.Tests.DependencyInjection;

public sealed class LoggingTests
{
    [Fact]
    public void InMemoryStores_WarnThatTheyDoNotPersist()
    {
        var sink = new RecordingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(sink));
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());

        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IKeyStore>();
        _ = provider.GetRequiredService<IAuditLog>();

        sink.Entries.Select(e => e.Message).Should().Contain(m => m.Contains("in-memory key store", StringComparison.Ordinal) && m.Contains("durable IKeyStore", StringComparison.Ordinal));
        sink.Entries.Select(e => e.Message).Should().Contain(m => m.Contains("in-memory audit log", StringComparison.Ordinal));
    }
}
