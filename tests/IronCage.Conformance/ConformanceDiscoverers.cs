using System.ComponentModel;
using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace IronCage.Conformance;

/// <summary>Discovers <see cref="ConformanceFactAttribute"/> tests, skipping them when the concrete class says why.</summary>
/// <param name="diagnosticMessageSink">xunit's diagnostic sink.</param>
public sealed class ConformanceFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc />
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        return ConformanceSkip.ReasonFor(testMethod) is { } reason
            ? [new SkippedConformanceTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason)]
            : [new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)];
    }
}

/// <summary>Discovers <see cref="ConformanceTheoryAttribute"/> tests, skipping them when the concrete class says why.</summary>
/// <param name="diagnosticMessageSink">xunit's diagnostic sink.</param>
public sealed class ConformanceTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    /// <inheritdoc />
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
    {
        ArgumentNullException.ThrowIfNull(discoveryOptions);
        return ConformanceSkip.ReasonFor(testMethod) is { } reason
            ? [new SkippedConformanceTestCase(_sink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
    }
}

/// <summary>A conformance test case reported skipped with the store's reason.</summary>
public sealed class SkippedConformanceTestCase : XunitTestCase
{
    private string _reason = string.Empty;

    /// <summary>For xunit's de-serializer only.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedConformanceTestCase()
    {
    }

    /// <summary>Creates the test case.</summary>
    /// <param name="diagnosticMessageSink">xunit's diagnostic sink.</param>
    /// <param name="defaultMethodDisplay">The method display.</param>
    /// <param name="defaultMethodDisplayOptions">The method display options.</param>
    /// <param name="testMethod">The test method.</param>
    /// <param name="reason">Why it is skipped.</param>
    public SkippedConformanceTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod, string reason)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
        _reason = reason;
    }

    /// <inheritdoc />
    public override void Serialize(IXunitSerializationInfo data)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.AddValue("SkipReason", _reason);
        base.Serialize(data);
    }

    /// <inheritdoc />
    public override void Deserialize(IXunitSerializationInfo data)
    {
        ArgumentNullException.ThrowIfNull(data);

        // The reason first: the base class may initialise (and ask for the skip reason) while it de-serializes.
        _reason = data.GetValue<string>("SkipReason");
        base.Deserialize(data);
    }

    /// <inheritdoc />
    protected override string GetSkipReason(IAttributeInfo factAttribute) => string.IsNullOrEmpty(_reason) ? base.GetSkipReason(factAttribute) : _reason;
}

internal static class ConformanceSkip
{
    public static string? ReasonFor(ITestMethod testMethod)
        => testMethod.TestClass.Class.ToRuntimeType()?.GetCustomAttribute<ConformanceSkipWhenAttribute>(inherit: true)?.Reason();
}
