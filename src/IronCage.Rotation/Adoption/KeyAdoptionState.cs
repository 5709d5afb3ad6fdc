namespace IronCage.Rotation;

/// <summary>Where waiting for adoption of a new key version stands (see <see cref="RotationOptions.WaitForAdoption"/>).</summary>
public enum KeyAdoptionState
{
    /// <summary>The floor (<see cref="RotationOptions.AdoptionFloor"/>) has not passed since promotion.</summary>
    WaitingForFloor = 0,

    /// <summary>Some live instance still serves the old version or has requests in flight on it, or a consumer has not reported adoption.</summary>
    Waiting = 1,

    /// <summary>Every live instance moved, nothing is in flight on the old version and every consumer adopted: the old key may be revoked.</summary>
    Adopted = 2,

    /// <summary>The grace period (the ceiling) ended before everyone moved: the old key is revoked anyway.</summary>
    CeilingReached = 3,
}
