using System.Text;
using System.Text.Json;

namespace IronCage.Notifications.Tests;

/// <summary>One request a <see cref="WebhookReceiver"/> received, and how it answered.</summary>
internal sealed record ReceivedRequest(int Attempt, string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool? SignatureValid, int Status, DateTimeOffset ReceivedAt)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
