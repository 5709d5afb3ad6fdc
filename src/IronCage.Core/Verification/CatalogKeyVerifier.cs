using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using IronCage.Internal;
using IronCage.Providers;
using IronCage.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Verification;

/// <summary>
/// Runs a descriptor's verify call through <see cref="IHttpClientFactory"/> and classifies the answer. It never asks
/// an adapter, so an adapter may call it from its own <see cref="IProviderAdapter.VerifyAsync"/>; <see cref="KeyVerifier"/>
/// is the entry point everyone else uses.
/// </summary>
internal sealed class CatalogKeyVerifier : ICatalogKeyVerifier
{
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IProviderCatalog _catalog;
    private readonly KeyFormatValidator _validator;
    private readonly IClock _clock;
    private readonly IOptionsMonitor<IronCageOptions> _options;
    private readonly ILogger<CatalogKeyVerifier> _logger;

    public CatalogKeyVerifier(IHttpClientFactory httpClientFactory, IProviderCatalog catalog, KeyFormatValidator validator, IClock clock, IOptionsMonitor<IronCageOptions> options, ILogger<CatalogKeyVerifier> logger)
    {
        _httpClientFactory = httpClientFactory;
        _catalog = catalog;
        _validator = validator;
        _clock = clock;
        _options = options;
        _logger = logger;
    }

    public async Task<KeyVerificationResult> VerifyAsync(ProviderId provider, SecretValue key, KeyVerificationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        options ??= new KeyVerificationOptions();
        var descriptor = _catalog.GetDescriptor(provider);
        var call = options.Kind == KeyKind.Admin ? descriptor.AdminVerifyCall : descriptor.VerifyCall;
        if (call is null)
        {
            descriptor.CapabilityNotes.TryGetValue(ProviderCapabilities.Verify, out var note);
            throw new NotSupportedByProviderException(provider, ProviderCapabilities.Verify, note ?? $"{descriptor.DisplayName} has no free verification call for {options.Kind} keys.");
        }

        // Never send a value that is not a key of this kind and provider: another provider's key would leak to this
        // provider, and whitespace or control characters would corrupt the request. A shape the catalog does not
        // know (WrongFormat) is still sent: the provider is the authority on its new key formats.
        var validation = _validator.Check(provider, key, options.Kind);
        if (validation.Error is { } error && error != KeyFormatError.WrongFormat)
        {
            throw new KeyFormatException(validation);
        }

        var settings = _options.CurrentValue;
        var baseAddress = options.BaseAddress ?? (settings.ProviderBaseAddresses.TryGetValue(provider, out var configured) ? configured : null);
        var uri = call.ResolveUri(options.Parameters, baseAddress);

        using var activity = IronCageTelemetry.ActivitySource.StartActivity(IronCageTelemetry.KeyVerifyActivity, ActivityKind.Client);
        activity?.SetTag(IronCageTelemetry.ProviderTag, provider.Value);

        using var request = new HttpRequestMessage(call.Method, uri);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body, System.Text.Encoding.UTF8, call.ContentType);
        }

        descriptor.Auth.Apply(request, key, overwrite: true);

        var started = Stopwatch.GetTimestamp();
        KeyVerificationResult result;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.VerifyTimeout);
        try
        {
            var client = _httpClientFactory.CreateClient(IronCageConstants.VerifyHttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response, timeout.Token).ConfigureAwait(false);
            var classification = ProviderResponseClassifier.Classify(descriptor, response, body, _clock.GetCurrentInstant(), call.Rules, key);

            // A 200 is not proof: a captive portal or proxy answers 200 too. Only the provider's documented answer counts.
            result = classification.IsSuccess && !call.IsDocumentedSuccess(body.Span, isComplete: body.Length < IronCageConstants.MaxVerifyResponseBytes)
                ? KeyVerificationResult.UnexpectedAnswer(provider, classification.StatusCode, call)
                : KeyVerificationResult.FromClassification(classification);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = KeyVerificationResult.Unreachable(provider, string.Create(CultureInfo.InvariantCulture, $"no answer within {settings.VerifyTimeout.TotalSeconds:0.#} s"));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // A connection that fails while the body is read surfaces as HttpIOException, an IOException rather than
            // an HttpRequestException: it is the same network failure as one that never connects.
            result = KeyVerificationResult.Unreachable(provider, SecretScrubber.Scrub(ex.Message, key) ?? "network error");
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        Record(provider, key, result, elapsed, activity);
        return result;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(IronCageConstants.MaxVerifyResponseBytes);
            try
            {
                var total = 0;
                int read;
                while (total < IronCageConstants.MaxVerifyResponseBytes
                    && (read = await stream.ReadAsync(buffer.AsMemory(total, IronCageConstants.MaxVerifyResponseBytes - total), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return buffer.AsSpan(0, total).ToArray();
            }
            finally
            {
                // The body may echo the key: clear it before the buffer goes back to the pool.
                Array.Clear(buffer);
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private void Record(ProviderId provider, SecretValue key, KeyVerificationResult result, TimeSpan elapsed, Activity? activity)
    {
        var outcome = result.ErrorKind?.Value ?? IronCageTelemetry.ValidOutcome;
        var tags = new TagList { { IronCageTelemetry.ProviderTag, provider.Value }, { IronCageTelemetry.OutcomeTag, outcome } };
        IronCageTelemetry.KeyVerifications.Add(1, tags);
        IronCageTelemetry.KeyVerificationDuration.Record(elapsed.TotalSeconds, tags);
        activity?.SetTag(IronCageTelemetry.OutcomeTag, outcome);

        if (result.IsValid)
        {
            Log.KeyVerified(_logger, provider, key.DisplayHint, result.StatusCode, (long)elapsed.TotalMilliseconds);
        }
        else if (result.StatusCode is null)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
            Log.KeyVerificationUnreachable(_logger, provider, key.DisplayHint, result.Message);
        }
        else
        {
            activity?.SetStatus(ActivityStatusCode.Error);
            Log.KeyVerificationFailed(_logger, provider, key.DisplayHint, result.ErrorKind, result.StatusCode, result.ProviderErrorCode, result.RequestId);
        }
    }
}
