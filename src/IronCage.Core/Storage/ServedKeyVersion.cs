using NodaTime;

namespace IronCage.Storage;

/// <summary>What one host instance does with one version of a managed key, as reported in an <see cref="InstanceHeartbeat"/>.</summary>
public sealed record ServedKeyVersion
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets the version.</summary>
    public required string VersionId { get; init; }

    /// <summary>Gets whether this is the version the instance hands out now for <see cref="Key"/>.</summary>
    public bool Serving { get; init; }

    /// <summary>Gets how many requests the instance has in flight with this version (sent, no answer yet).</summary>
    public long InFlight { get; init; }

    /// <summary>Gets when the instance last used the version, if it did since its previous heartbeat; written to <see cref="KeyVersion.LastUsedAt"/>.</summary>
    public Instant? LastUsedAt { get; init; }
}
