namespace IronCage;

/// <summary>What happens when a usage limit is reached.</summary>
public enum LimitEnforcement
{
    /// <summary>The key stays usable; alerts are raised at the thresholds.</summary>
    Soft = 0,

    /// <summary>The key becomes unavailable until the window resets (a pool fails over to its next key).</summary>
    Hard = 1,
}
