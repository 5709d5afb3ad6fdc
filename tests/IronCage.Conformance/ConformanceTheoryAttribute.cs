using Xunit.Sdk;

namespace IronCage.Conformance;

/// <summary>A conformance theory: like <see cref="ConformanceFactAttribute"/>, for theories.</summary>
[XunitTestCaseDiscoverer("IronCage.Conformance.ConformanceTheoryDiscoverer", "IronCage.Conformance")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
}
