using System.Globalization;
using IronCage.Auditing;

namespace IronCage.Rotation;

/// <summary>
/// Changes what an operator may change on a stored key without touching its versions: the rotation policy and the
/// usage limits. Checked like at registration, written through the store's concurrency token (re-read and re-applied
/// when a rotation or a kill got there first), audited once with the old and new settings.
/// </summary>
/// <remarks>
/// Neither change is refused while a rotation runs: each replaces only <see cref="ManagedKey.Policy"/> or
/// <see cref="ManagedKey.Limits"/> on the key the store holds at that moment, so a version the rotation wrote is never
/// lost. A new grace period applies to a rotation not yet promoted (the grace is read at promotion); one already in its
/// grace period keeps the end it recorded. New limits reach the usage gate through the key change feed.
/// </remarks>
internal sealed class KeySettingsEditor
{
    private readonly ManagedKeyWriter _keys;
    private readonly RotationJournal _journal;
    private readonly RotationProviders _providers;

    public KeySettingsEditor(ManagedKeyWriter keys, RotationJournal journal, RotationProviders providers)
    {
        _keys = keys;
        _journal = journal;
        _providers = providers;
    }

    public async Task<ManagedKey> ChangePolicyAsync(KeyReference key, RotationPolicy policy, RotationRequest request, CancellationToken cancellationToken)
    {
        // A generated key that is not renewed dies at its expiry with nothing to replace it: a policy without a renewal
        // lead (one written by a tool that does not know the setting) keeps the default, as at registration.
        if (policy.RenewBeforeExpiry is null && _providers.TierOf(key.Provider) == Providers.RotationTier.Generated)
        {
            policy = policy with { RenewBeforeExpiry = IronCageConstants.DefaultRenewBeforeExpiry };
        }

        policy.Validate();
        RotationPolicy? old = null;
        var (stored, changed) = await _keys.UpdateAsync(key, managed =>
        {
            old = managed.Policy;
            return Describe(managed.Policy) == Describe(policy) ? managed : managed with { Policy = policy };
        }, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            await _journal.AuditAsync(AuditAction.KeyPolicyChange, key, request, AuditOutcome.Success, new() { ["old"] = Describe(old!), ["new"] = Describe(policy) }, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    public async Task<ManagedKey> ChangeLimitsAsync(KeyReference key, UsageLimits limits, RotationRequest request, CancellationToken cancellationToken)
    {
        limits.Validate();
        UsageLimits? old = null;
        var (stored, changed) = await _keys.UpdateAsync(key, managed =>
        {
            old = managed.Limits;
            return Describe(managed.Limits) == Describe(limits) ? managed : managed with { Limits = limits };
        }, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            await _journal.AuditAsync(AuditAction.KeyLimitsChange, key, request, AuditOutcome.Success, new() { ["old"] = Describe(old!), ["new"] = Describe(limits) }, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    /// <summary>One line for the audit record: every setting of the policy, in a fixed order.</summary>
    internal static string Describe(RotationPolicy policy) => string.Create(
        CultureInfo.InvariantCulture,
        $"schedule={policy.Schedule?.Text ?? "none"}; window={policy.Window?.ToString() ?? "none"}; grace={policy.GracePeriod?.ToString() ?? "default"}; expiryWarningLead={policy.ExpiryWarningLead?.ToString() ?? "default"}; keyLifetime={policy.KeyLifetime?.ToString() ?? "none"}; renewBeforeExpiry={policy.RenewBeforeExpiry?.ToString() ?? "none"}; jitter={policy.Jitter}");

    /// <summary>One line for the audit record: every limit and the alert thresholds.</summary>
    internal static string Describe(UsageLimits limits)
    {
        var list = limits.Limits.Count == 0 ? "none" : string.Join(", ", limits.Limits.Select(l => l.ToString()));
        return string.Create(CultureInfo.InvariantCulture, $"limits={list}; alertThresholds={string.Join(",", limits.AlertThresholds)}");
    }
}
