namespace IronCage.Leaks.Egress;

/// <summary>Options of the egress guard.</summary>
public sealed class LeakEgressGuardOptions
{
    /// <summary>Gets or sets how long the guard uses its copy of the managed keys' fingerprints before reading the store again.</summary>
    /// <value>The default value is 30 seconds. A key rotated in this process is seen at once (the guard reloads on every change the store's change feed reports, when it has one).</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the largest body the guard inspects; a larger body is sent unchecked.</summary>
    /// <value>The default value is 4 MiB.</value>
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
}
