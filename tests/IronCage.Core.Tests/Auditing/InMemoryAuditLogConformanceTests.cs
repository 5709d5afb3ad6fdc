using IronCage.Auditing;
using IronCage.Conformance;

namespace IronCage.Core.Tests.Auditing;

public sealed class InMemoryAuditLogConformanceTests : AuditLogConformanceTests
{
    protected override IAuditLog CreateLog() => new InMemoryAuditLog();
}
