using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Rotates, revokes and registers managed keys. Every rotation is a persisted <see cref="RotationOperation"/> whose
/// steps are recorded one by one, so an engine started on the same store resumes it after a crash.
/// </summary>
public interface IKeyRotator
{
    /// <summary>Registers a managed key with its current key value (validated, optionally verified, then stored encrypted).</summary>
    /// <param name="registration">The managed key.</param>
    /// <param name="secret">Its current key value.</param>
    /// <param name="request">Who registers it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored managed key.</returns>
    /// <exception cref="KeyFormatException">The value is not a key of that provider and kind.</exception>
    /// <exception cref="ProviderRequestException">Verification was asked for and the provider refused the key.</exception>
    /// <exception cref="ManagedKeyAlreadyExistsException">The reference is taken.</exception>
    Task<ManagedKey> RegisterAsync(KeyRegistration registration, SecretValue secret, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Registers a managed key whose keys IronCage generates itself from the host's credentials (the
    /// <see cref="Providers.RotationTier.Generated"/> tier: Amazon Bedrock short-term API keys). The first key is generated,
    /// checked, verified (unless <see cref="KeyRegistration.Verify"/> is off) and stored encrypted; after that the
    /// scheduler generates the next one before the current one expires (<see cref="RotationPolicy.RenewBeforeExpiry"/>,
    /// <see cref="IronCageConstants.DefaultRenewBeforeExpiry"/> when the policy sets none). A replaced key is no longer
    /// served, but nothing can revoke it: it stays valid until its own expiry.
    /// </summary>
    /// <param name="registration">The managed key; <see cref="KeyRegistration.ProviderKeyId"/> and <see cref="KeyRegistration.ExpiresAt"/> are ignored (the generated key has its own).</param>
    /// <param name="request">Who registers it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored managed key.</returns>
    /// <exception cref="IronCageException">The key's provider does not generate keys, or no adapter is registered for it.</exception>
    /// <exception cref="ProviderRequestException">The host's credentials could not be obtained, or the provider refused the generated key.</exception>
    /// <exception cref="ManagedKeyAlreadyExistsException">The reference is taken.</exception>
    Task<ManagedKey> RegisterGeneratedAsync(KeyRegistration registration, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rotates a key with the strategy its provider allows. Automatic tiers run until the grace period (or, for
    /// <see cref="RotationReason.Compromised"/>, to the end); semi-automatic and manual tiers stop at
    /// <see cref="RotationStep.AwaitingNewKey"/> until a person supplies the new key.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="reason">Why.</param>
    /// <param name="request">Who asks, and overrides.</param>
    /// <param name="cancellationToken">Cancels the call (the operation stays recorded and can be resumed).</param>
    /// <returns>The operation as far as it got; <see cref="RotationStep.Failed"/> carries the reason in <see cref="RotationOperation.LastError"/>.</returns>
    /// <exception cref="RotationConflictException">The key already has a rotation under way (a compromised rotation supersedes it instead: rolled back before promotion, finished at once after).</exception>
    /// <exception cref="ManagedKeyNotFoundException">The key does not exist.</exception>
    Task<RotationOperation> RotateAsync(KeyReference key, RotationReason reason, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Revokes the key's current version at once, without a replacement (it is killed locally first, then revoked at the provider where the provider allows).</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="request">Who asks, and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The finished operation.</returns>
    Task<RotationOperation> RevokeAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands in a key a person created in the provider's console (semi-automatic tier): its format is checked, its
    /// provider-side id found by listing the provider's keys, then it is verified and promoted, and the old key is
    /// deactivated at the provider after the grace period.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="newKey">The new key value.</param>
    /// <param name="request">Who supplies it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation as far as it got.</returns>
    Task<RotationOperation> SupplyNewKeyAsync(KeyReference key, SecretValue newKey, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a rotation a person did in the provider's console (manual tier): the new value is checked, verified and
    /// promoted; after the grace period the old version is retired locally, and the person deletes it in the console.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="newKey">The new key value.</param>
    /// <param name="request">Who records it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation as far as it got.</returns>
    Task<RotationOperation> RecordManualRotationAsync(KeyReference key, SecretValue newKey, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Ends the grace period of the key's rotation now and revokes the old key.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="request">Who asks.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation.</returns>
    /// <exception cref="IronCageException">The key has no rotation in its grace period.</exception>
    Task<RotationOperation> CompleteGraceAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Abandons the key's rotation before its new key is promoted: the new key is removed at the provider (or deactivated) and the old one stays current.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="request">Who cancels, and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation, now <see cref="RotationStep.Failed"/> with the reason.</returns>
    /// <exception cref="IronCageException">There is no rotation under way, or its new key is already current (use <see cref="CompleteGraceAsync"/>).</exception>
    Task<RotationOperation> CancelAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>Gets an operation.</summary>
    /// <param name="operationId">The operation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation, or <see langword="null"/>.</returns>
    Task<RotationOperation?> GetOperationAsync(string operationId, CancellationToken cancellationToken = default);

    /// <summary>Continues an unfinished operation (after a crash, a deferral, or a grace period that has ended).</summary>
    /// <param name="operationId">The operation id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation as far as it got.</returns>
    Task<RotationOperation> ResumeAsync(string operationId, CancellationToken cancellationToken = default);

    /// <summary>A dry run: what would rotate, when, and with which strategy, as of <paramref name="now"/>. Changes nothing.</summary>
    /// <param name="now">The instant to plan for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan.</returns>
    Task<RotationPlan> PlanAsync(Instant now, CancellationToken cancellationToken = default);

    /// <summary>The local kill switch: the version is never served again, at once, even where the provider cannot revoke it by API.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version.</param>
    /// <param name="request">Who asks, and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated managed key.</returns>
    Task<ManagedKey> KillAsync(KeyReference key, string versionId, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a stored key's rotation policy (schedule, maintenance window, grace period, expiry warning lead, key
    /// lifetime, jitter). The policy is checked as at registration; the key's next due time follows at once. Allowed
    /// while a rotation runs: its versions are kept, a rotation not yet promoted uses the new grace period, one already
    /// in its grace period keeps its recorded end. Audited as <c>key.policy-changed</c> with the old and new policy; an
    /// unchanged policy writes nothing.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="policy">The new policy; <see langword="null"/> for <see cref="RotationPolicy.Default"/> (rotate on demand only).</param>
    /// <param name="request">Who asks (actor, IP and note are audited).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored managed key.</returns>
    /// <exception cref="RotationPolicyException">The policy is out of range (the same errors as at registration).</exception>
    /// <exception cref="ManagedKeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">Other writers changed the key on every one of the bounded retries.</exception>
    Task<ManagedKey> ChangePolicyAsync(KeyReference key, RotationPolicy? policy, RotationRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a stored key's usage limits and alert thresholds. Checked as at registration; the usage gate and the
    /// resolver see the new limits through the key change feed. Allowed while a rotation runs (only the limits are
    /// replaced). Audited as <c>key.limits-changed</c> with the old and new limits; unchanged limits write nothing.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="limits">The new limits; <see langword="null"/> for <see cref="UsageLimits.None"/>.</param>
    /// <param name="request">Who asks (actor, IP and note are audited).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored managed key.</returns>
    /// <exception cref="IronCageException">A threshold is out of range or two limits repeat a metric and window.</exception>
    /// <exception cref="ManagedKeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">Other writers changed the key on every one of the bounded retries.</exception>
    Task<ManagedKey> ChangeLimitsAsync(KeyReference key, UsageLimits? limits, RotationRequest? request = null, CancellationToken cancellationToken = default);
}
