using IronCage.Auditing;
using IronCage.Conformance;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage.Rotation.Tests.Backup;

/// <summary>The backup conformance suite on the in-memory stores: one set of stores per database number.</summary>
public sealed class InMemoryStoreBackupConformanceTests : StoreBackupConformanceTests
{
    private readonly Dictionary<int, (InMemoryKeyStore Keys, InMemoryRotationStore Rotations, InMemoryAuditLog Audit)> _databases = [];

    protected override IIronCageBuilder Persist(IIronCageBuilder builder, int database)
    {
        if (!_databases.TryGetValue(database, out var stores))
        {
            stores = _databases[database] = (new InMemoryKeyStore(), new InMemoryRotationStore(), new InMemoryAuditLog());
        }

        builder.Services.AddSingleton<IKeyStore>(stores.Keys);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRotationStore>(stores.Rotations));
        builder.Services.AddSingleton<IAuditLog>(stores.Audit);
        return builder;
    }
}
