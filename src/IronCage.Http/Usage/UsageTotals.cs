using System.Text.Json;
using IronCage.Http;
using IronCage.Usage;

namespace IronCage.Http;

/// <summary>
/// Token usage read from a provider's response, merged across stream events. Counts are cumulative in every format
/// IronCage reads (OpenAI's final chunk, Anthropic's <c>message_start</c>/<c>message_delta</c>, Gemini's
/// <c>usageMetadata</c> on each chunk), so merging keeps the largest value seen.
/// </summary>
internal class UsageTotals(ModelNames? models = null)
{

    public string? Model { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public bool Found { get; private set; }

    /// <summary>Reads one JSON document (a response body or one SSE event) and merges what it says about usage.</summary>
    public void Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        ReadObject(ref reader, nested: false);
    }

    private void ReadObject(ref Utf8JsonReader reader, bool nested)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("usage"u8) || reader.ValueTextEquals("usageMetadata"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadUsage(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("model"u8) || reader.ValueTextEquals("modelVersion"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    SetModel(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (!nested && reader.ValueTextEquals("message"u8))
            {
                // Anthropic's stream starts with {"type":"message_start","message":{"model":…,"usage":{…}}}.
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadObject(ref reader, nested: true);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadUsage(ref Utf8JsonReader reader)
    {
        long input = 0, output = 0;
        var any = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = Field(ref reader);
            reader.Read();
            if (field == UsageField.None || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
            {
                reader.Skip();
                continue;
            }

            any = true;
            if (field == UsageField.Input)
            {
                input += value;
            }
            else
            {
                output += value;
            }
        }

        if (any)
        {
            Found = true;
            InputTokens = Math.Max(InputTokens, input);
            OutputTokens = Math.Max(OutputTokens, output);
        }
    }

    // OpenAI chat: prompt_tokens/completion_tokens; OpenAI responses and Anthropic: input_tokens/output_tokens, and
    // Anthropic counts cache writes and reads apart from input_tokens; Gemini: promptTokenCount, candidatesTokenCount
    // and thoughtsTokenCount (billed as output). Totals are not read: they would count twice.
    private static UsageField Field(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8) || reader.ValueTextEquals("promptTokenCount"u8)
            || reader.ValueTextEquals("cache_creation_input_tokens"u8) || reader.ValueTextEquals("cache_read_input_tokens"u8))
        {
            return UsageField.Input;
        }

        if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8)
            || reader.ValueTextEquals("candidatesTokenCount"u8) || reader.ValueTextEquals("thoughtsTokenCount"u8))
        {
            return UsageField.Output;
        }

        return UsageField.None;
    }

    private void SetModel(ref Utf8JsonReader reader) => Model = models is null ? reader.GetString() : models.Get(ref reader);

    private enum UsageField
    {
        None,
        Input,
        Output,
    }
}
