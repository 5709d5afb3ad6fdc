using System.Runtime.CompilerServices;
using System.Text.Json;
using IronCage.Leaks.Scanning;
using IronCage.Providers;

namespace IronCage.Leaks.Reports;

/// <summary>
/// Reads the JSON reports of trufflehog (<c>trufflehog ... --json</c>: one JSON object per line) and gitleaks
/// (<c>gitleaks detect --report-format json</c>: one array) into findings. The reported secret is fingerprinted and
/// matched like a scanned one and then dropped; only the masked hint stays.
/// </summary>
/// <param name="scanner">The scanner whose rules identify the provider and whose managed keys findings are matched to.</param>
public sealed class LeakReportReader(LeakScanner scanner)
{
    /// <summary>Reads a trufflehog JSON-lines report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="cancellationToken">A token to cancel reading.</param>
    /// <returns>The findings whose secret has a catalog provider's key shape.</returns>
    /// <exception cref="LeakScanException">A line is not JSON.</exception>
    public async IAsyncEnumerable<LeakFinding> ReadTrufflehogAsync(Stream report, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var reader = new StreamReader(report, leaveOpen: true);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var document = Parse(line, "trufflehog", number);
            if (TrufflehogFinding(document.RootElement) is { } finding)
            {
                yield return finding;
            }
        }
    }

    /// <summary>Reads a gitleaks JSON report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="cancellationToken">A token to cancel reading.</param>
    /// <returns>The findings whose secret has a catalog provider's key shape.</returns>
    /// <exception cref="LeakScanException">The report is not a JSON array.</exception>
    public async IAsyncEnumerable<LeakFinding> ReadGitleaksAsync(Stream report, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(report, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new LeakScanException($"The gitleaks report is not JSON ({ex.Message}). Write it with --report-format json.", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new LeakScanException("The gitleaks report is not a JSON array. Write it with --report-format json.");
            }

            foreach (var item in document.RootElement.EnumerateArray())
            {
                var secret = String(item, "Secret");
                if (secret is null)
                {
                    continue;
                }

                var location = new LeakLocation
                {
                    Path = String(item, "File"),
                    Line = Int(item, "StartLine"),
                    Column = Int(item, "StartColumn"),
                    Commit = String(item, "Commit") is { Length: > 0 } commit ? commit : null,
                };
                if (Materialize(secret, String(item, "RuleID"), location) is { } finding)
                {
                    yield return finding;
                }
            }
        }
    }

    private LeakFinding? TrufflehogFinding(JsonElement root)
    {
        var secret = String(root, "Raw");
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        // SourceMetadata.Data.<source kind> holds the location: Git { commit, file, line }, Filesystem { file, line }, Github { ..., link }.
        var location = new LeakLocation();
        if (root.TryGetProperty("SourceMetadata", out var metadata) && metadata.TryGetProperty("Data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            foreach (var source in data.EnumerateObject())
            {
                if (source.Value.ValueKind == JsonValueKind.Object)
                {
                    location = new LeakLocation
                    {
                        Path = String(source.Value, "file") ?? String(source.Value, "link"),
                        Line = Int(source.Value, "line"),
                        Commit = String(source.Value, "commit"),
                    };
                    break;
                }
            }
        }

        return Materialize(secret, String(root, "DetectorName"), location);
    }

    private LeakFinding? Materialize(string secret, string? detector, LeakLocation location)
    {
        var value = secret.AsSpan().Trim();
        if (scanner.Identify(value) is { } shape)
        {
            return scanner.Materialize(value, shape.Provider, shape.Kind, location);
        }

        // A detector for a provider whose keys have no distinctive shape (Mistral, Cohere, ...): trust its name.
        return ProviderFromDetector(detector) is { } provider ? scanner.Materialize(value, provider, KeyKind.Inference, location) : null;
    }

    private ProviderId? ProviderFromDetector(string? detector)
    {
        if (string.IsNullOrEmpty(detector))
        {
            return null;
        }

        var normalized = detector.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        foreach (var id in scanner.Providers)
        {
            var name = id.Value.Replace("-", string.Empty, StringComparison.Ordinal);
            if (normalized.Contains(name, StringComparison.OrdinalIgnoreCase))
            {
                return id;
            }
        }

        return null;
    }

    private static JsonDocument Parse(string line, string tool, int number)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw new LeakScanException($"Line {number} of the {tool} report is not JSON ({ex.Message}). Write the report with --json.", ex);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;
}
