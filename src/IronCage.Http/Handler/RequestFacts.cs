using System.Net.Http.Json;
using System.Text.Json;
using IronCage.Http;
using IronCage.Usage;

namespace IronCage.Http;

/// <summary>What a request says about its cost before it is sent: the model, an estimate of its prompt tokens and its output cap.</summary>
/// <param name="Model">The model, from the body's <c>model</c> or a Gemini path (<c>models/{model}:generateContent</c>).</param>
/// <param name="InputTokens">The prompt estimate: a quarter of the body's bytes, which over-counts (JSON syntax is counted too), as a worst case should.</param>
/// <param name="MaxOutputTokens">The body's <c>max_tokens</c>, <c>max_completion_tokens</c>, <c>max_output_tokens</c> or <c>generationConfig.maxOutputTokens</c>, or the configured default.</param>
/// <param name="BodyBytes">The body's length in bytes, or <see langword="null"/> when it cannot be known before sending (a stream without <c>Content-Length</c>).</param>
/// <param name="PointsOutside">
/// Whether the body refers to input it does not carry: an image, audio or file by <c>http(s)</c> URL or by file id
/// (<c>image_url</c>, <c>file_id</c>, <c>file_url</c>, Gemini's <c>fileData.fileUri</c>, Anthropic's <c>url</c>/<c>file</c>
/// sources). Its cost cannot be bounded by the body's bytes.
/// </param>
internal readonly record struct RequestFacts(string? Model, long InputTokens, long MaxOutputTokens, long? BodyBytes, bool PointsOutside = false)
{
    /// <summary>Gets the typical token count, for client token rate limits (a quarter of the body's bytes plus the output cap).</summary>
    public int TokenEstimate => (int)Math.Min(int.MaxValue, InputTokens + MaxOutputTokens);

    /// <summary>Gets a value indicating whether a budget's worst case can be worked out from the request alone.</summary>
    public bool IsSized => BodyBytes is not null;

    /// <summary>
    /// Gets the worst case a budget reserves. The prompt is held at one token per body byte: a byte-level tokenizer
    /// never makes a token of less than one byte, so for text this bounds what the provider can count, where a quarter
    /// of the bytes (the typical ratio) was exceeded by real prompts. Input the body only points at (image URLs, file
    /// ids, server-side tools) needs an explicit <see cref="IronCageRequestOptions.CostEstimate"/>.
    /// </summary>
    public CostEstimate ToBudgetEstimate() => new(Model, BodyBytes ?? 0, MaxOutputTokens);

    public static bool IsReplayable(HttpContent? content) => content switch
    {
        null => true,
        ByteArrayContent or ReadOnlyMemoryContent or JsonContent => true,
        MultipartContent multipart => multipart.All(IsReplayable),
        _ => false,
    };

    /// <summary>Reads what a request says about its cost. A body that can be sent again is copied once into a pooled buffer (up to <paramref name="maxBodyBytes"/>) and parsed; the content itself is left unbuffered.</summary>
    public static async ValueTask<RequestFacts> ReadAsync(HttpRequestMessage request, int defaultMaxOutputTokens, int maxBodyBytes, CancellationToken cancellationToken)
    {
        var pathModel = ModelFromPath(request.RequestUri);
        var content = request.Content;
        if (content is null)
        {
            return new RequestFacts(pathModel, 0, defaultMaxOutputTokens, 0);
        }

        var declared = content.Headers.ContentLength;
        if (!IsReplayable(content) || declared > maxBodyBytes)
        {
            return new RequestFacts(pathModel, ((declared ?? 0) + 3) / 4, defaultMaxOutputTokens, declared);
        }

        using var body = new PooledBodyStream(maxBodyBytes, (int)(declared ?? 4096));
        await content.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
        var (model, maxOutput, pointsOutside) = body.Overflowed ? (null, null, false) : ReadBody(body.Body);
        return new RequestFacts(model ?? pathModel, (body.Written + 3) / 4, maxOutput ?? defaultMaxOutputTokens, Math.Max(body.Written, declared ?? 0), pointsOutside);
    }

    private static (string? Model, long? MaxOutput, bool PointsOutside) ReadBody(ReadOnlySpan<byte> body)
    {
        string? model = null;
        long? maxOutput = null;
        var pointsOutside = false;
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null, false);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8) || reader.ValueTextEquals("max_output_tokens"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
                    {
                        maxOutput = value;
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("generationConfig"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isMax = reader.ValueTextEquals("maxOutputTokens"u8);
                        reader.Read();
                        if (isMax && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
                        {
                            maxOutput = value;
                        }

                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    pointsOutside |= FindsOutsideInput(ref reader);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: no model or cap to read; the size estimate still applies.
        }

        return (model, maxOutput, pointsOutside);
    }

    /// <summary>Reads past the value the reader is on, telling whether it refers to input by URL or file id.</summary>
    private static bool FindsOutsideInput(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return false;
        }

        var found = false;
        var depth = reader.CurrentDepth;
        var referencing = false;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                // A file id always points outside; a URL does when it is http(s) (a data: URL is carried inline).
                found |= reader.ValueTextEquals("file_id"u8) || reader.ValueTextEquals("fileUri"u8) || reader.ValueTextEquals("file_url"u8);
                referencing = reader.ValueTextEquals("url"u8) || reader.ValueTextEquals("image_url"u8);
            }
            else if (reader.TokenType == JsonTokenType.String && referencing)
            {
                found |= reader.ValueSpan.StartsWith("http://"u8) || reader.ValueSpan.StartsWith("https://"u8);
                referencing = false;
            }
            else
            {
                referencing &= reader.TokenType is JsonTokenType.StartObject;
            }
        }

        return found;
    }

    /// <summary>The model a request names in its path (Gemini's <c>models/{model}:generateContent</c>), read without touching the body.</summary>
    public static string? ModelFromPath(Uri? uri)
    {
        if (uri is null)
        {
            return null;
        }

        var path = uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString;
        var start = path.IndexOf("/models/", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += "/models/".Length;
        var end = path.IndexOf(':', start);
        return end > start ? path[start..end] : null;
    }
}
