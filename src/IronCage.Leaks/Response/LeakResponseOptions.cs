namespace IronCage.Leaks.Response;

/// <summary>How the leak responder reacts: a policy per managed key and a default.</summary>
public sealed class LeakResponseOptions
{
    /// <summary>Gets or sets the policy for managed keys without one of their own.</summary>
    /// <value>The default value is <see cref="LeakResponsePolicy.EmergencyRotation"/>.</value>
    public LeakResponsePolicy DefaultPolicy { get; set; } = LeakResponsePolicy.EmergencyRotation;

    /// <summary>Gets the policy of individual managed keys.</summary>
    public IDictionary<KeyReference, LeakResponsePolicy> Policies { get; } = new Dictionary<KeyReference, LeakResponsePolicy>();

    /// <summary>Gets or sets the actor written to audit records and rotation requests.</summary>
    /// <value>The default value is <c>ironcage-leaks</c>.</value>
    public string Actor { get; set; } = "ironcage-leaks";

    /// <summary>Returns the policy for a managed key.</summary>
    /// <param name="key">The managed key.</param>
    /// <returns>Its own policy, or <see cref="DefaultPolicy"/>.</returns>
    public LeakResponsePolicy PolicyFor(KeyReference key) => Policies.TryGetValue(key, out var policy) ? policy : DefaultPolicy;
}
