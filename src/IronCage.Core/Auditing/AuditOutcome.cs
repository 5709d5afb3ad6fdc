namespace IronCage.Auditing;

/// <summary>How an audited operation ended.</summary>
public enum AuditOutcome
{
    /// <summary>It succeeded.</summary>
    Success = 0,

    /// <summary>It was attempted and failed.</summary>
    Failure = 1,

    /// <summary>It was refused for lack of permission.</summary>
    Denied = 2,
}
