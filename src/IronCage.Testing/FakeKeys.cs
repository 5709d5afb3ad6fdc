using System.Security.Cryptography;
using IronCage.Providers;

namespace IronCage.Testing;

/// <summary>
/// Generates random values shaped like a provider's real keys (they pass <see cref="KeyFormatValidator"/>), so
/// tests and demos never need a real key. Every generated key is recorded in <see cref="SecretLeakRegistry.Shared"/>.
/// </summary>
public static class FakeKeys
{
    private const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string UrlSafe = Alphanumerics + "-_";
    private const string Hex = "0123456789abcdef";
    private const string LowerAlphanumerics = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const string UpperAlphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>Generates a key shaped like <paramref name="provider"/>'s keys of <paramref name="kind"/>.</summary>
    /// <param name="provider">A built-in provider, or any other (which gets a 40-character opaque token).</param>
    /// <param name="kind">Inference or admin.</param>
    /// <returns>The generated key; the caller disposes it.</returns>
    public static SecretValue Generate(ProviderId provider, KeyKind kind = KeyKind.Inference)
        => SecretValue.FromString(GenerateText(provider, kind));

    /// <summary>Generates a key's text; for tests that need a string (such as a provider emulator's stored keys).</summary>
    /// <param name="provider">A built-in provider, or any other.</param>
    /// <param name="kind">Inference or admin.</param>
    /// <returns>The key text.</returns>
    public static string GenerateText(ProviderId provider, KeyKind kind = KeyKind.Inference)
    {
        var admin = kind == KeyKind.Admin;
        var text = provider.Value switch
        {
            "openai" => (admin ? "sk-admin-" : "sk-proj-") + Random(UrlSafe, 74) + "T3BlbkFJ" + Random(UrlSafe, 74),
            "anthropic" => (admin ? "sk-ant-admin01-" : "sk-ant-api03-") + Random(UrlSafe, 93) + "AA",
            "google-gemini" => "AIza" + Random(UrlSafe, 35),
            "groq" => "gsk_" + Random(Alphanumerics, 52),
            "xai" => "xai-" + Random(Alphanumerics + "_", 80),
            "openrouter" => "sk-or-v1-" + Random(Hex, 64),
            "perplexity" => "pplx-" + Random(Alphanumerics, 48),
            "deepseek" => "sk-" + Random(LowerAlphanumerics, 32),
            "azure-openai" => Random(Hex, 32),
            "replicate" => "r8_" + Random(Alphanumerics, 37),
            "aws-bedrock-short-term" => "bedrock-api-key-" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
                "bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA" + Random(UpperAlphanumerics, 16)
                + "%2F20261101%2Fus-east-1%2Fbedrock%2Faws4_request&X-Amz-Date=20261101T090000Z&X-Amz-Expires=43200&X-Amz-SignedHeaders=host&X-Amz-Signature="
                + Random(Hex, 64) + "&Version=1")),
            _ => Random(Alphanumerics, 40),
        };

        // Every key a test run creates is searched for in the run's captured logs (SecretLeakRegistry).
        SecretLeakRegistry.Shared.RecordSecret(text);
        return text;
    }

    private static string Random(string alphabet, int length) => RandomNumberGenerator.GetString(alphabet, length);
}
