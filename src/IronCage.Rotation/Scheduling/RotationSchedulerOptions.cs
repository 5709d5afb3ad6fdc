using IronCage.Storage;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>How the rotation scheduler runs.</summary>
public sealed class RotationSchedulerOptions
{
    /// <summary>Gets or sets how often the scheduler looks for due work.</summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many keys are worked on at once.</summary>
    /// <value>The default value is 4.</value>
    public int MaxParallelism { get; set; } = 4;

    /// <summary>
    /// Gets or sets how many due keys one pass takes from the key store's due query (<see cref="IKeyStore.ListDueAsync"/>),
    /// earliest due first; the rest are taken on the next passes. Unfinished rotations are always all looked at.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    public int MaxKeysPerPass { get; set; } = 1_000;

    /// <summary>Gets or sets how long a claim on a key lasts; another host instance may take the key over after that.</summary>
    /// <value>The default value is 5 minutes.</value>
    public Duration LeaseDuration { get; set; } = Duration.FromMinutes(5);

    /// <summary>
    /// Gets or sets how often a held lease is renewed while work on its key runs; <see langword="null"/> renews every
    /// third of <see cref="LeaseDuration"/>. Work stops when a renewal finds the lease taken over.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (a third of <see cref="LeaseDuration"/>).</value>
    public TimeSpan? LeaseRenewalInterval { get; set; }

    /// <summary>Gets or sets how often a person is reminded while a manual or semi-automatic rotation waits for the new key.</summary>
    /// <value>The default value is 24 hours.</value>
    public Duration ReminderInterval { get; set; } = Duration.FromHours(24);

    /// <summary>Gets or sets this host instance's name in leases.</summary>
    /// <value>The default value is the machine name and a random suffix.</value>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
}
