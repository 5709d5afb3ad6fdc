using IronCage.Auditing;
using IronCage.Leaks.Scanning;
using IronCage.Notifications;
using IronCage.Providers;
using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Leaks.Response;

/// <summary>
/// Acts on findings from every source: runs the key's response policy (alert, emergency rotation, revoke-first
/// rotation), writes <c>key.leaked</c> to the audit log, and notifies. A leak is handled once: the audit log's
/// successful <c>key.leaked</c> records (by fingerprint) are the state, so a leak reported again by another source, by
/// a second scan, or after a restart does nothing new.
/// </summary>
public sealed class LeakResponder : IDisposable
{
    private const string Unmanaged = "unmanaged";
    private readonly IKeyRotator _rotator;
    private readonly IAuditLog _audit;
    private readonly IProviderCatalog _catalog;
    private readonly IClock _clock;
    private readonly LeakResponseOptions _options;
    private readonly INotificationPublisher? _notifications;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private HashSet<string>? _handled;

    /// <summary>Creates the responder.</summary>
    /// <param name="rotator">The rotation engine.</param>
    /// <param name="audit">The audit log (also the record of handled leaks).</param>
    /// <param name="catalog">The provider catalog, for console URLs.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="options">The policies.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="notifications">The notification publisher, when notifications are set up.</param>
    public LeakResponder(IKeyRotator rotator, IAuditLog audit, IProviderCatalog catalog, IClock clock, IOptions<LeakResponseOptions> options, ILogger<LeakResponder> logger, INotificationPublisher? notifications = null)
    {
        ArgumentNullException.ThrowIfNull(rotator);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _rotator = rotator;
        _audit = audit;
        _catalog = catalog;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        _notifications = notifications;
    }

    /// <summary>Handles one finding.</summary>
    /// <param name="finding">The finding.</param>
    /// <param name="source">Who reported it (<c>scan</c>, <c>git-history</c>, <c>github-secret-scanning</c>, ...).</param>
    /// <param name="cancellationToken">A token to cancel the response.</param>
    /// <returns>What was done.</returns>
    /// <exception cref="IronCageException">The rotation failed; the leak is recorded as failed and handled again when reported again.</exception>
    public async Task<LeakResponse> HandleAsync(LeakFinding finding, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var handled = _handled ??= await LoadHandledAsync(cancellationToken).ConfigureAwait(false);
            if (handled.Contains(finding.Fingerprint))
            {
                Log.DuplicateLeak(_logger, finding.Fingerprint, finding.Hint, source);
                return new LeakResponse(finding, LeakResponseOutcome.Duplicate, null);
            }

            var response = await RespondAsync(finding, source, cancellationToken).ConfigureAwait(false);
            handled.Add(finding.Fingerprint);
            return response;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Handles findings one after the other.</summary>
    /// <param name="findings">The findings.</param>
    /// <param name="source">Who reported them.</param>
    /// <param name="cancellationToken">A token to cancel the response.</param>
    /// <returns>What was done with each.</returns>
    public async Task<IReadOnlyList<LeakResponse>> HandleAllAsync(IAsyncEnumerable<LeakFinding> findings, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var responses = new List<LeakResponse>();
        await foreach (var finding in findings.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            responses.Add(await HandleAsync(finding, source, cancellationToken).ConfigureAwait(false));
        }

        return responses;
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private async Task<LeakResponse> RespondAsync(LeakFinding finding, string source, CancellationToken cancellationToken)
    {
        if (finding.ManagedKey is not { } key)
        {
            await RecordAsync(finding, source, new KeyReference(finding.Provider, Unmanaged), LeakResponseOutcome.Alerted, null, null, AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
            Log.UnmanagedKeyLeaked(_logger, finding.Provider, finding.Hint, finding.Location, source);
            Notify(finding, source, new KeyReference(finding.Provider, Unmanaged), LeakResponseOutcome.Alerted, null);
            return new LeakResponse(finding, LeakResponseOutcome.Alerted, null);
        }

        var policy = _options.PolicyFor(key);
        if (finding.Classification == LeakClassification.Retired)
        {
            await RecordAsync(finding, source, key, LeakResponseOutcome.AlreadyRetired, policy, null, AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
            Log.ManagedKeyLeaked(_logger, finding.Hint, key, finding.Classification, finding.Location, source, LeakResponseOutcome.AlreadyRetired);
            Notify(finding, source, key, LeakResponseOutcome.AlreadyRetired, null);
            return new LeakResponse(finding, LeakResponseOutcome.AlreadyRetired, null);
        }

        string? operationId = null;
        var outcome = LeakResponseOutcome.Alerted;
        if (policy != LeakResponsePolicy.AlertOnly)
        {
            try
            {
                operationId = await RotateAsync(finding, key, policy, source, cancellationToken).ConfigureAwait(false);
                outcome = LeakResponseOutcome.Rotated;
            }
            catch (RotationConflictException)
            {
                // Another instance (or the poller racing the webhook) is rotating this key already.
                Log.RotationAlreadyRunning(_logger, key, finding.Hint);
                return new LeakResponse(finding, LeakResponseOutcome.Duplicate, null);
            }
            catch (IronCageException ex)
            {
                Log.ResponseFailed(_logger, key, finding.Hint, ex);
                await RecordAsync(finding, source, key, LeakResponseOutcome.Alerted, policy, null, AuditOutcome.Failure, cancellationToken).ConfigureAwait(false);
                Notify(finding, source, key, LeakResponseOutcome.Alerted, null);
                throw;
            }
        }

        await RecordAsync(finding, source, key, outcome, policy, operationId, AuditOutcome.Success, cancellationToken).ConfigureAwait(false);
        Log.ManagedKeyLeaked(_logger, finding.Hint, key, finding.Classification, finding.Location, source, outcome);
        Notify(finding, source, key, outcome, operationId);
        return new LeakResponse(finding, outcome, operationId);
    }

    private async Task<string> RotateAsync(LeakFinding finding, KeyReference key, LeakResponsePolicy policy, string source, CancellationToken cancellationToken)
    {
        var request = new RotationRequest
        {
            Actor = _options.Actor,
            Note = $"Leaked ({finding.Hint}) at {finding.Location}, reported by {source}.",
            RevokeFirst = policy == LeakResponsePolicy.RevokeFirstRotation,
        };

        // A previous version is still valid only because of its grace period: ending it revokes the leaked value.
        var operation = finding.Classification == LeakClassification.ManagedPrevious
            ? await _rotator.CompleteGraceAsync(key, request, cancellationToken).ConfigureAwait(false)
            : await _rotator.RotateAsync(key, RotationReason.Compromised, request, cancellationToken).ConfigureAwait(false);
        return operation.OperationId;
    }

    private async Task RecordAsync(LeakFinding finding, string source, KeyReference target, LeakResponseOutcome outcome, LeakResponsePolicy? policy, string? operationId, AuditOutcome auditOutcome, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = source,
            ["location"] = finding.Location.ToString(),
            ["hint"] = finding.Hint,
            ["fingerprint"] = finding.Fingerprint,
            ["provider"] = finding.Provider.Value,
            ["classification"] = finding.Classification.ToString(),
            ["outcome"] = outcome.ToString(),
        };
        AddIfPresent(details, "path", finding.Location.Path);
        AddIfPresent(details, "commit", finding.Location.Commit);
        AddIfPresent(details, "version", finding.VersionId);
        AddIfPresent(details, "policy", policy?.ToString());
        AddIfPresent(details, "operation", operationId);
        await _audit.AppendAsync(
            new AuditEvent
            {
                Actor = _options.Actor,
                Action = LeakAuditActions.KeyLeaked,
                Target = target.ToString(),
                Timestamp = _clock.GetCurrentInstant(),
                Reason = $"Found by {source} at {finding.Location}.",
                Outcome = auditOutcome,
                Details = details,
            },
            cancellationToken).ConfigureAwait(false);
    }

    private void Notify(LeakFinding finding, string source, KeyReference key, LeakResponseOutcome outcome, string? operationId)
    {
        if (_notifications is null)
        {
            return;
        }

        _notifications.Publish(new KeyLeakedEvent
        {
            Key = key,
            OccurredAt = _clock.GetCurrentInstant(),
            OperationId = operationId,
            ConsoleUrl = _catalog.TryGetDescriptor(finding.Provider, out var descriptor) ? descriptor.ConsoleUrl : null,
            Hint = finding.Hint,
            Location = finding.Location,
            Source = source,
            Classification = finding.Classification,
            Outcome = outcome,
        });
    }

    private async Task<HashSet<string>> LoadHandledAsync(CancellationToken cancellationToken)
    {
        var handled = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var record in _audit.ReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (record.Event.Action == LeakAuditActions.KeyLeaked && record.Event.Outcome == AuditOutcome.Success
                && record.Event.Details.TryGetValue("fingerprint", out var fingerprint))
            {
                handled.Add(fingerprint);
            }
        }

        return handled;
    }

    private static void AddIfPresent(Dictionary<string, string> details, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            details[name] = value;
        }
    }
}
