using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Verification;
using Microsoft.Extensions.Logging;

namespace IronCage.Secrets;

/// <summary>The importer: detect, validate, de-duplicate by fingerprint, verify, register.</summary>
internal sealed class KeyImporter : IKeyImporter
{
    private const string SourceLabel = "import-source";
    private readonly IKeyRotator _rotator;
    private readonly IKeyStore _store;
    private readonly IKeyVerifier _verifier;
    private readonly ISecretFingerprinter _fingerprinter;
    private readonly KeyFormatValidator _validator;
    private readonly ProviderDetector _detector;
    private readonly ILogger<KeyImporter> _logger;

    public KeyImporter(IKeyRotator rotator, IKeyStore store, IKeyVerifier verifier, ISecretFingerprinter fingerprinter, IProviderCatalog catalog, ILogger<KeyImporter> logger)
    {
        _rotator = rotator;
        _store = store;
        _verifier = verifier;
        _fingerprinter = fingerprinter;
        _validator = new KeyFormatValidator(catalog);
        _detector = new ProviderDetector(catalog);
        _logger = logger;
    }

    public async Task<KeyImportReport> ImportAsync(IKeySource source, KeyImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new KeyImportOptions();
        var run = new ImportRun(await ManagedFingerprints.LoadAsync(_store, _fingerprinter, cancellationToken).ConfigureAwait(false));
        var entries = new List<KeyImportEntry>();
        await foreach (var candidate in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using (candidate)
            {
                var entry = await ImportOneAsync(source, candidate, options, run, cancellationToken).ConfigureAwait(false);
                Log.ImportEntry(_logger, source.Name, entry.Origin, entry.Status, entry.Reference, entry.DisplayHint, entry.Reason);
                entries.Add(entry);
            }
        }

        var report = new KeyImportReport { Source = source.Name, DryRun = options.DryRun, Entries = entries };
        Log.ImportFinished(_logger, source.Name, options.DryRun ? " (dry run)" : string.Empty, report.Imported, report.AlreadyManaged, report.Invalid, report.Unverifiable, report.UnknownProvider);
        return report;
    }

    private static string DefaultName(KeyCandidate candidate, string fingerprint)
    {
        if (candidate.Name is { Length: > 0 } name)
        {
            var derived = new string([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' ? c : '-')]).Trim('-', '.');
            if (derived.Length > 0)
            {
                return derived;
            }
        }

        var tail = fingerprint[^Math.Min(8, fingerprint.Length)..];
        return "imported-" + new string([.. tail.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : 'x')]);
    }

    private static KeyImportStatus StatusOf(ProviderErrorKind kind)
        => kind == ProviderErrorKind.InvalidKey || kind == ProviderErrorKind.Forbidden ? KeyImportStatus.Invalid : KeyImportStatus.Unverifiable;

    private async Task<KeyImportEntry> ImportOneAsync(IKeySource source, KeyCandidate candidate, KeyImportOptions options, ImportRun run, CancellationToken cancellationToken)
    {
        var secret = candidate.Secret;
        var hint = secret.DisplayHint;
        KeyImportEntry Entry(KeyImportStatus status, ProviderId? provider, KeyKind kind, KeyReference? reference, string? reason)
            => new() { Origin = candidate.Origin, Status = status, Provider = provider, Kind = kind, Reference = reference, DisplayHint = hint, Reason = reason };

        var detection = _detector.Detect(candidate);
        if (detection.Provider is not { } provider)
        {
            var named = candidate.Name is null ? "The candidate has no name" : $"No provider of the catalog uses the name {candidate.Name}";
            return Entry(KeyImportStatus.UnknownProvider, null, KeyKind.Inference, null, $"{named}, and the value has no known provider's prefix. Rename it to the provider's variable (for example OPENAI_API_KEY), or register the provider's descriptor with the host.");
        }

        var kind = detection.Kind;
        if (detection.ByPrefix is { } prefix && prefix.Provider != provider)
        {
            return Entry(KeyImportStatus.Invalid, provider, kind, null, $"{detection.From} says {provider}, but the value starts with '{prefix.Prefix}' and has the shape of a {prefix.Provider} key. Move the value to the {prefix.Provider} variable, or put the {provider} key here.");
        }

        var validation = _validator.Check(provider, secret, kind);
        if (!validation.IsValid)
        {
            return Entry(KeyImportStatus.Invalid, provider, kind, null, validation.Message);
        }

        var fingerprint = _fingerprinter.Compute(secret);
        if (run.Managed.Find(secret, fingerprint) is { } managed)
        {
            return Entry(KeyImportStatus.AlreadyManaged, provider, kind, managed, $"The value is already a version of '{managed}'; nothing was written.");
        }

        if (run.Seen.TryGetValue(fingerprint, out var earlier))
        {
            return Entry(KeyImportStatus.AlreadyManaged, provider, kind, earlier.Reference, $"The same value was found earlier in this import ({earlier.Origin}); it is imported once.");
        }

        KeyReference reference;
        try
        {
            reference = new KeyReference(provider, options.NameKey?.Invoke(candidate, provider) ?? DefaultName(candidate, fingerprint));
        }
        catch (ArgumentException ex)
        {
            return Entry(KeyImportStatus.Invalid, provider, kind, null, ex.Message);
        }

        if (run.Claimed.Contains(reference) || await _store.FindAsync(reference, cancellationToken).ConfigureAwait(false) is not null)
        {
            return Entry(KeyImportStatus.Invalid, provider, kind, reference, $"The managed key '{reference}' already exists with another value. Give this one another name (KeyImportOptions.NameKey), or rotate '{reference}' to it.");
        }

        var scope = KeyVariableNames.ToScope(candidate.Attributes);
        if (options.Scope?.Invoke(candidate, provider) is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                scope[name] = value;
            }
        }
        if (options.Verify)
        {
            var (status, reason) = await VerifyAsync(new ProviderKeyContext { Key = reference, Kind = kind, Scope = scope }, secret, cancellationToken).ConfigureAwait(false);
            if (status is { } failed)
            {
                return Entry(failed, provider, kind, reference, reason);
            }
        }

        if (!options.DryRun)
        {
            var labels = new Dictionary<string, string>(options.Labels, StringComparer.Ordinal) { [SourceLabel] = source.Name.Length > 200 ? source.Name[..200] : source.Name };
            var registration = new KeyRegistration { Reference = reference, Kind = kind, Labels = labels, Scope = scope, Policy = options.Policy, Verify = false };
            try
            {
                await _rotator.RegisterAsync(registration, secret, new RotationRequest { Actor = options.Actor, Note = "import from " + candidate.Origin }, cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderRequestException ex)
            {
                return Entry(StatusOf(ex.Kind), provider, kind, reference, ex.Message);
            }
            catch (IronCageException ex)
            {
                return Entry(KeyImportStatus.Invalid, provider, kind, reference, ex.Message);
            }
        }

        run.Seen[fingerprint] = (reference, candidate.Origin);
        run.Claimed.Add(reference);
        return Entry(KeyImportStatus.Imported, provider, kind, reference, null);
    }

    private async Task<(KeyImportStatus? Status, string? Reason)> VerifyAsync(ProviderKeyContext context, SecretValue secret, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _verifier.VerifyAsync(context, secret, cancellationToken).ConfigureAwait(false);
            return result.ErrorKind is { } kind ? (StatusOf(kind), result.Message) : (null, null);
        }
        catch (KeyFormatException ex)
        {
            return (KeyImportStatus.Invalid, ex.Message);
        }
        catch (ProviderRequestException ex)
        {
            return (StatusOf(ex.Kind), ex.Message);
        }
        catch (IronCageException ex)
        {
            // No free verification call, no adapter, or a setting the call needs (Azure's endpoint) is missing.
            return (KeyImportStatus.Unverifiable, ex.Message + " Import it without verification (KeyImportOptions.Verify = false, or --no-verify) if you trust it.");
        }
    }

    private sealed class ImportRun(ManagedFingerprints managed)
    {
        public ManagedFingerprints Managed { get; } = managed;

        public Dictionary<string, (KeyReference Reference, string Origin)> Seen { get; } = new(StringComparer.Ordinal);

        public HashSet<KeyReference> Claimed { get; } = [];
    }
}
