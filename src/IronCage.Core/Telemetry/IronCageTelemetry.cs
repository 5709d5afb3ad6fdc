using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace IronCage.Telemetry;

/// <summary>
/// IronCage's telemetry names in one place: the <see cref="Meter"/> and <see cref="ActivitySource"/> are both named
/// <c>IronCage</c>; subscribe with <c>AddMeter(IronCageTelemetry.Name)</c> and <c>AddSource(IronCageTelemetry.Name)</c>.
/// Instruments and tags follow OpenTelemetry semantic conventions (durations in seconds). Values never include secrets.
/// </summary>
public static class IronCageTelemetry
{
    /// <summary>The name of IronCage's meter and activity source.</summary>
    public const string Name = "IronCage";

    /// <summary>Counter: key verifications, tagged with provider and outcome.</summary>
    public const string KeyVerifyCount = "ironcage.key.verify.count";

    /// <summary>Histogram (s): key verification duration.</summary>
    public const string KeyVerifyDuration = "ironcage.key.verify.duration";

    /// <summary>Counter: secrets sealed or opened by envelope encryption, tagged with operation and outcome.</summary>
    public const string SecretOperationCount = "ironcage.secret.operation.count";

    /// <summary>Counter: rotations, tagged with provider, reason and outcome.</summary>
    public const string RotationCount = "ironcage.rotation.count";

    /// <summary>Histogram (s): rotation duration.</summary>
    public const string RotationDuration = "ironcage.rotation.duration";

    /// <summary>Counter: key resolutions by the runtime path.</summary>
    public const string KeyResolveCount = "ironcage.key.resolve.count";

    /// <summary>Counter: tokens used, tagged with provider and direction.</summary>
    public const string UsageTokens = "ironcage.usage.tokens";

    /// <summary>Counter: cost, in the price catalog's currency.</summary>
    public const string UsageCost = "ironcage.usage.cost";

    /// <summary>Counter: calls recorded by usage tracking, tagged with provider.</summary>
    public const string UsageRequests = "ironcage.usage.requests";

    /// <summary>Tag: the direction of counted tokens, <see cref="InputDirection"/> or <see cref="OutputDirection"/>.</summary>
    public const string DirectionTag = "ironcage.direction";

    /// <summary>Value of <see cref="DirectionTag"/> for input (prompt) tokens.</summary>
    public const string InputDirection = "input";

    /// <summary>Value of <see cref="DirectionTag"/> for output (completion) tokens.</summary>
    public const string OutputDirection = "output";

    /// <summary>Activity: one key verification call.</summary>
    public const string KeyVerifyActivity = "ironcage.key.verify";

    /// <summary>Value of <see cref="OperationTag"/> for sealing a secret.</summary>
    public const string SealOperation = "seal";

    /// <summary>Value of <see cref="OperationTag"/> for opening a secret.</summary>
    public const string OpenOperation = "open";

    /// <summary>Value of <see cref="OutcomeTag"/> for a success.</summary>
    public const string SuccessOutcome = "success";

    /// <summary>Value of <see cref="OutcomeTag"/> for a failure.</summary>
    public const string FailureOutcome = "failure";

    /// <summary>Value of <see cref="OutcomeTag"/> for a key that verified.</summary>
    public const string ValidOutcome = "valid";

    /// <summary>Tag: the provider id.</summary>
    public const string ProviderTag = "ironcage.provider";

    /// <summary>Tag: the outcome (<c>success</c>, <c>failure</c>, or an error kind).</summary>
    public const string OutcomeTag = "ironcage.outcome";

    /// <summary>Tag: the operation.</summary>
    public const string OperationTag = "ironcage.operation";

    /// <summary>Tag: the error type (semantic convention <c>error.type</c>).</summary>
    public const string ErrorTypeTag = "error.type";

    private static readonly string? Version = typeof(IronCageTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>Gets IronCage's activity source.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    /// <summary>Gets IronCage's meter.</summary>
    public static Meter Meter { get; } = new(Name, Version);

    internal static Counter<long> KeyVerifications { get; } = Meter.CreateCounter<long>(KeyVerifyCount, unit: "{verification}", description: "Key verifications by provider and outcome.");

    internal static Histogram<double> KeyVerificationDuration { get; } = Meter.CreateHistogram<double>(KeyVerifyDuration, unit: "s", description: "Duration of key verification calls.");


    internal static Counter<long> Rotations { get; } = Meter.CreateCounter<long>(RotationCount, unit: "{rotation}", description: "Rotations and revocations that ended, by provider and outcome (completed, failed).");

    internal static Histogram<double> RotationDurations { get; } = Meter.CreateHistogram<double>(RotationDuration, unit: "s", description: "Time from a rotation's request to its end, grace period included (engine-clock seconds).");

    internal static Counter<long> SecretOperations { get; } = Meter.CreateCounter<long>(SecretOperationCount, unit: "{operation}", description: "Envelope-encryption seal and open operations.");
}
