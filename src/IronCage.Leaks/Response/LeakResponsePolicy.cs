namespace IronCage.Leaks.Response;

/// <summary>What IronCage does when a managed key's value is found exposed.</summary>
public enum LeakResponsePolicy
{
    /// <summary>Record <c>key.leaked</c> and alert; an operator decides.</summary>
    AlertOnly = 0,

    /// <summary>
    /// Run the emergency rotation (<see cref="Rotation.RotationReason.Compromised"/>): a new key is created and verified,
    /// then the leaked one is revoked at once, without a grace period. A leaked previous version is revoked by ending
    /// its grace period. Alerts as well.
    /// </summary>
    EmergencyRotation = 1,

    /// <summary>
    /// Revoke the leaked key before anything else, then create its replacement: nobody can use the leaked key even for
    /// the seconds a rotation takes, at the price of failed requests until the new key is current. Alerts as well.
    /// </summary>
    RevokeFirstRotation = 2,
}
