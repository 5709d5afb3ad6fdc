using IronCage.Leaks.Scanning;

namespace IronCage.Leaks.Response;

/// <summary>The result of handling one finding.</summary>
/// <param name="Finding">The finding.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="OperationId">The rotation operation started, if any.</param>
public sealed record LeakResponse(LeakFinding Finding, LeakResponseOutcome Outcome, string? OperationId);
