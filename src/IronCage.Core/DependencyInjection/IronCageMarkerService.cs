namespace IronCage;

/// <summary>Registered once by <c>AddIronCage()</c>, so a second call adds nothing twice.</summary>
internal sealed class IronCageMarkerService
{
}
