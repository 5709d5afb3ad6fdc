using IronCage.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Auditing;

/// <summary>
/// Exports the audit chain's head, authenticated with a key derived from the master key, to an
/// <see cref="IAuditCheckpointSink"/> at start and then every <see cref="AuditCheckpointExportOptions.Interval"/>:
/// the external anchor that lets <see cref="VerifyAsync"/> catch records cut from the end of the log, which no check
/// inside the database can. Registered with <c>AddAuditCheckpointExport()</c>.
/// </summary>
/// <remarks>
/// Each export first verifies the whole chain against the latest checkpoint; a broken chain or a checkpoint whose
/// MAC does not verify is logged as critical and nothing is exported, so a checkpoint never vouches for a chain that
/// failed. A failed export never stops the host; the next interval tries again.
/// </remarks>
public sealed class AuditCheckpointExporter : BackgroundService
{
    private readonly IAuditLog _log;
    private readonly IAuditCheckpointSink _sink;
    private readonly AuditCheckpointAuthenticator _authenticator;
    private readonly AuditCheckpointExportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the exporter.</summary>
    /// <param name="log">The audit log.</param>
    /// <param name="sink">Where checkpoints go.</param>
    /// <param name="authenticator">Makes and checks the checkpoints' MACs.</param>
    /// <param name="options">The interval.</param>
    /// <param name="time">The time source of the schedule and of <see cref="AuthenticatedAuditCheckpoint.TakenAt"/>.</param>
    /// <param name="logger">The logger.</param>
    public AuditCheckpointExporter(IAuditLog log, IAuditCheckpointSink sink, AuditCheckpointAuthenticator authenticator, IOptions<AuditCheckpointExportOptions> options, TimeProvider time, ILogger<AuditCheckpointExporter> logger)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _log = log;
        _sink = sink;
        _authenticator = authenticator;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Verifies the audit chain against the latest exported checkpoint.</summary>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The outcome: a chain cut below the checkpoint, or rewritten up to it, is reported.</returns>
    /// <exception cref="AuditCheckpointException">The latest checkpoint's MAC does not verify.</exception>
    public async ValueTask<AuditVerificationResult> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var latest = await _sink.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        return await _log.VerifyAsync(latest, _authenticator, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Verifies the chain and, when it is intact, exports its head as the new latest checkpoint.</summary>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>
    /// The checkpoint exported (or the latest one, when no record was appended since); <see langword="null"/> when the
    /// log is empty, the chain failed verification or the latest checkpoint is not authentic (both logged as critical).
    /// </returns>
    public async ValueTask<AuthenticatedAuditCheckpoint?> ExportAsync(CancellationToken cancellationToken = default)
    {
        var latest = await _sink.ReadLatestAsync(cancellationToken).ConfigureAwait(false);
        if (latest is not null && !_authenticator.IsAuthentic(latest))
        {
            Log.AuditCheckpointNotAuthentic(_logger, latest.Checkpoint.Sequence);
            return null;
        }

        var result = await _log.VerifyAsync(latest?.Checkpoint, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            Log.AuditChainBroken(_logger, result.FirstInvalidSequence, result.Tamper, result.Message);
            return null;
        }

        if (result.Head is not { } head)
        {
            return null;
        }

        if (latest is not null && latest.Checkpoint == head)
        {
            return latest;
        }

        var checkpoint = _authenticator.Authenticate(head, Instant.FromDateTimeOffset(_time.GetUtcNow()));
        await _sink.WriteAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        Log.AuditCheckpointExported(_logger, head.Sequence, head.Hash);
        return checkpoint;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ExportAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.AuditCheckpointExportFailed(_logger, e);
            }

            try
            {
                await Task.Delay(_options.Interval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
