using System.Net.Http.Headers;
using System.Text.Json;

namespace IronCage.Internal;

/// <summary>What IronCage reads out of a provider's answer: error codes, message, request id and top-level JSON values.</summary>
internal sealed class ProviderErrorBody
{
    private static readonly string[] RequestIdHeaders = ["request-id", "x-request-id", "x-ms-request-id", "apim-request-id", "x-amzn-requestid", "x-amz-request-id"];
    private JsonElement? _root;

    private ProviderErrorBody()
    {
    }

    public List<string> Codes { get; } = [];

    public string? Message { get; private set; }

    public string? RequestId { get; private set; }

    public static ProviderErrorBody Parse(ReadOnlyMemory<byte> body, HttpResponseHeaders headers, bool isError)
    {
        var result = new ProviderErrorBody();
        result.ReadHeaders(headers);

        if (body.IsEmpty)
        {
            return result;
        }

        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                result.ReadRoot(document.RootElement, isError);
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page, an XML Query-API error): status code and headers decide.
        }

        return result;
    }

    /// <summary>Reads a scalar at a dot-separated property path (<c>valid</c>, <c>data.is_management_key</c>) as its raw text.</summary>
    public bool TryGetValue(string path, out string raw)
    {
        raw = string.Empty;
        if (_root is not { } current)
        {
            return false;
        }

        foreach (var name in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return false;
            }
        }

        var value = current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => current.GetRawText(),
            JsonValueKind.Null => "null",
            _ => null,
        };
        raw = value ?? string.Empty;
        return value is not null;
    }

    public bool HasCode(string code) => Codes.Exists(c => string.Equals(c, code, StringComparison.OrdinalIgnoreCase));

    private void ReadHeaders(HttpResponseHeaders headers)
    {
        foreach (var name in RequestIdHeaders)
        {
            if (headers.TryGetValues(name, out var values))
            {
                RequestId ??= values.FirstOrDefault();
            }
        }

        if (headers.TryGetValues("x-amzn-ErrorType", out var errorTypes))
        {
            var errorType = errorTypes.FirstOrDefault();
            if (!string.IsNullOrEmpty(errorType))
            {
                var colon = errorType.IndexOf(':', StringComparison.Ordinal);
                AddCode(colon > 0 ? errorType[..colon] : errorType);
            }
        }
    }

    private void ReadRoot(JsonElement root, bool isError)
    {
        _root = root.Clone();

        if (root.TryGetProperty("request_id", out var requestId) && requestId.ValueKind == JsonValueKind.String)
        {
            RequestId ??= requestId.GetString();
        }

        if (!isError)
        {
            return;
        }

        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.Object)
            {
                AddCode(error, "code");
                AddCode(error, "type");
                AddCode(error, "status");
                SetMessage(error, "message");
                if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
                {
                    foreach (var detail in details.EnumerateArray())
                    {
                        if (detail.ValueKind == JsonValueKind.Object)
                        {
                            AddCode(detail, "reason");
                        }
                    }
                }
            }
            else if (error.ValueKind == JsonValueKind.String)
            {
                Message ??= error.GetString();
            }
        }

        if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() is { } typeName && typeName != "error")
        {
            AddCode(typeName);
        }

        AddCode(root, "code");
        if (root.TryGetProperty("__type", out var awsType) && awsType.ValueKind == JsonValueKind.String && awsType.GetString() is { } awsTypeName)
        {
            var hash = awsTypeName.LastIndexOf('#');
            AddCode(hash >= 0 ? awsTypeName[(hash + 1)..] : awsTypeName);
        }

        SetMessage(root, "message");
        SetMessage(root, "Message");
        SetMessage(root, "detail");
        SetMessage(root, "title");
    }

    private void AddCode(JsonElement parent, string name)
    {
        if (parent.TryGetProperty(name, out var value))
        {
            AddCode(value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            });
        }
    }

    private void AddCode(string? code)
    {
        if (!string.IsNullOrWhiteSpace(code) && !HasCode(code))
        {
            Codes.Add(code);
        }
    }

    private void SetMessage(JsonElement parent, string name)
    {
        if (Message is null && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            Message = value.GetString();
        }
    }
}
