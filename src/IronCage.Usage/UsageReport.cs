using System.Globalization;
using System.Text;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Usage;

/// <summary>
/// Usage and cost per key (and model) and window over a range, written as JSON or CSV. Property and column names are
/// stable; numbers use the invariant culture, instants ISO 8601 in UTC.
/// </summary>
public sealed class UsageReport
{
    /// <summary>The CSV header line.</summary>
    public const string CsvHeader = "key,window_start,model,requests,errors,error_rate,input_tokens,output_tokens,total_tokens,cost,unpriced_requests,currency";

    /// <summary>Creates a report.</summary>
    /// <param name="generatedAt">When the report was made.</param>
    /// <param name="from">The start of the range (inclusive).</param>
    /// <param name="to">The end of the range (exclusive).</param>
    /// <param name="granularity">The window of each row.</param>
    /// <param name="currency">The currency of the costs.</param>
    /// <param name="priceCatalogVersion">The version of the price catalog in use.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="droppedRecords">How many pre-aggregated records this instance dropped while the store was unreachable.</param>
    public UsageReport(Instant generatedAt, Instant from, Instant to, UsageWindow granularity, string currency, string priceCatalogVersion, IEnumerable<UsageAggregate> rows, long droppedRecords = 0)
    {
        ArgumentNullException.ThrowIfNull(rows);
        GeneratedAt = generatedAt;
        From = from;
        To = to;
        Granularity = granularity;
        Currency = currency;
        PriceCatalogVersion = priceCatalogVersion;
        Rows = [.. rows];
        DroppedRecords = droppedRecords;
    }

    /// <summary>Gets when the report was made.</summary>
    public Instant GeneratedAt { get; }

    /// <summary>Gets the start of the range (inclusive).</summary>
    public Instant From { get; }

    /// <summary>Gets the end of the range (exclusive).</summary>
    public Instant To { get; }

    /// <summary>Gets the window of each row.</summary>
    public UsageWindow Granularity { get; }

    /// <summary>Gets the currency of the costs.</summary>
    public string Currency { get; }

    /// <summary>Gets the version of the price catalog in use.</summary>
    public string PriceCatalogVersion { get; }

    /// <summary>Gets the rows, ordered by key, window and model.</summary>
    public IReadOnlyList<UsageAggregate> Rows { get; }

    /// <summary>Gets how many pre-aggregated records this instance dropped while the store was unreachable (their usage is missing).</summary>
    public long DroppedRecords { get; }

    /// <summary>Gets the number of calls.</summary>
    public long TotalRequests => Rows.Sum(r => r.Requests);

    /// <summary>Gets the number of failed calls.</summary>
    public long TotalErrors => Rows.Sum(r => r.Errors);

    /// <summary>Gets the known cost.</summary>
    public decimal TotalCost => Rows.Sum(r => r.Cost);

    /// <summary>Gets the number of calls without a price; when more than zero, <see cref="TotalCost"/> is a lower bound.</summary>
    public long TotalUnpricedRequests => Rows.Sum(r => r.UnpricedRequests);

    /// <summary>Writes the report as JSON.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        WriteJson(stream);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Writes the report as UTF-8 JSON to a stream.</summary>
    /// <param name="utf8Json">The stream.</param>
    public void WriteJson(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var json = new Utf8JsonWriter(utf8Json, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("generatedAt", Iso(GeneratedAt));
        json.WriteString("from", Iso(From));
        json.WriteString("to", Iso(To));
        json.WriteString("granularity", JsonNamingPolicy.CamelCase.ConvertName(Granularity.ToString()));
        json.WriteString("currency", Currency);
        json.WriteString("priceCatalogVersion", PriceCatalogVersion);
        json.WriteNumber("droppedRecords", DroppedRecords);
        json.WriteStartObject("totals");
        json.WriteNumber("requests", TotalRequests);
        json.WriteNumber("errors", TotalErrors);
        json.WriteNumber("cost", Normalize(TotalCost));
        json.WriteNumber("unpricedRequests", TotalUnpricedRequests);
        json.WriteEndObject();
        json.WriteStartArray("rows");
        foreach (var row in Rows)
        {
            json.WriteStartObject();
            json.WriteString("key", row.Key.ToString());
            json.WriteString("windowStart", Iso(row.WindowStart));
            json.WriteString("model", row.Model);
            json.WriteNumber("requests", row.Requests);
            json.WriteNumber("errors", row.Errors);
            json.WriteNumber("errorRate", Math.Round(row.ErrorRate, 4));
            json.WriteNumber("inputTokens", row.InputTokens);
            json.WriteNumber("outputTokens", row.OutputTokens);
            json.WriteNumber("totalTokens", row.TotalTokens);
            json.WriteNumber("cost", Normalize(row.Cost));
            json.WriteNumber("unpricedRequests", row.UnpricedRequests);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Writes the report as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted where needed).</summary>
    /// <returns>The CSV text, header first.</returns>
    public string ToCsv()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteCsv(writer);
        return writer.ToString();
    }

    /// <summary>Writes the report as CSV (RFC 4180) to a text writer.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteCsv(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(CsvHeader);
        writer.Write("\r\n");
        foreach (var row in Rows)
        {
            string[] fields =
            [
                row.Key.ToString(),
                Iso(row.WindowStart),
                Neutralize(row.Model ?? string.Empty),
                row.Requests.ToString(CultureInfo.InvariantCulture),
                row.Errors.ToString(CultureInfo.InvariantCulture),
                Math.Round(row.ErrorRate, 4).ToString(CultureInfo.InvariantCulture),
                row.InputTokens.ToString(CultureInfo.InvariantCulture),
                row.OutputTokens.ToString(CultureInfo.InvariantCulture),
                row.TotalTokens.ToString(CultureInfo.InvariantCulture),
                Normalize(row.Cost).ToString(CultureInfo.InvariantCulture),
                row.UnpricedRequests.ToString(CultureInfo.InvariantCulture),
                Currency,
            ];
            writer.Write(string.Join(',', fields.Select(Quote)));
            writer.Write("\r\n");
        }
    }

    // Model names come from provider responses: one that starts like a formula (=, +, -, @, tab, carriage return) would
    // run as one when the CSV is opened in a spreadsheet, so it is prefixed with an apostrophe (OWASP's advice).
    private static string Neutralize(string text)
        => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    private static string Quote(string field)
        => field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Iso(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    // Drops trailing zeros (2.5000000 → 2.5) so equal amounts always print the same.
    private static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}
