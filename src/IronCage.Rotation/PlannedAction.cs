namespace IronCage.Rotation;

/// <summary>What the engine would do for a key.</summary>
public enum PlannedAction
{
    /// <summary>Nothing is due yet.</summary>
    None = 0,

    /// <summary>Rotate the key (create, verify, promote, revoke after grace).</summary>
    Rotate = 1,

    /// <summary>Remind a person to rotate it in the console (manual and semi-automatic tiers).</summary>
    Remind = 2,

    /// <summary>Continue an unfinished rotation.</summary>
    Resume = 3,

    /// <summary>End a grace period and revoke the old key.</summary>
    CompleteGrace = 4,

    /// <summary>Wait for a person to supply the new key.</summary>
    AwaitNewKey = 5,
}
