using NodaTime;

namespace IronCage.Rotation;

/// <summary>A claim on a resource (a managed key) by one engine instance, until it expires.</summary>
/// <param name="Resource">What is claimed, for example a key reference.</param>
/// <param name="Owner">Who holds it (an engine instance id).</param>
/// <param name="ExpiresAt">When the claim lapses unless renewed; after that another owner may take it.</param>
/// <param name="Token">A fencing token that grows with every acquisition of the resource.</param>
public sealed record RotationLease(string Resource, string Owner, Instant ExpiresAt, long Token);
