using Xunit.Sdk;

namespace IronCage.Conformance;

/// <summary>
/// A conformance fact: runs like <see cref="FactAttribute"/>, but is reported skipped, with the reason, when the concrete
/// test class carries a <see cref="ConformanceSkipWhenAttribute"/> that gives one (a store whose server is not there).
/// </summary>
[XunitTestCaseDiscoverer("IronCage.Conformance.ConformanceFactDiscoverer", "IronCage.Conformance")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformanceFactAttribute : FactAttribute
{
}
