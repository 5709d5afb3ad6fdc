using System.Security.Cryptography;
using System.Text;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Testing;
using NodaTime;

namespace IronCage.Leaks.Tests.Support;

/// <summary>Real-shaped keys for every catalog provider, generated per run (never a real key), and managed keys over them.</summary>
internal static class LeakTestKeys
{
    public static readonly ProviderId[] PrefixProviders =
    [
        ProviderId.OpenAI, ProviderId.Anthropic, ProviderId.GoogleGemini, ProviderId.OpenRouter, ProviderId.XAI,
        ProviderId.Perplexity, ProviderId.Groq, ProviderId.Replicate, ProviderId.AwsBedrock, ProviderId.AwsBedrockShortTerm,
    ];

    public static ISecretFingerprinter Fingerprinter { get; } = new HmacSecretFingerprinter("test-fp", RandomNumberGenerator.GetBytes(32));

    public static IProviderCatalog Catalog => ProviderCatalog.BuiltIn;

    public static string Generate(ProviderId provider)
    {
        if (provider == ProviderId.AwsBedrock)
        {
            // Bedrock long-term API keys: ABSK and the base64 of "BedrockAPIKey-" + the credential alias and secret.
            var body = "BedrockAPIKey-" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 14) + "-at-123456789012:" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 60);
            var text = "ABSK" + Convert.ToBase64String(Encoding.ASCII.GetBytes(body));
            SecretLeakRegistry.Shared.RecordSecret(text);
            return text;
        }

        return FakeKeys.GenerateText(provider);
    }

    /// <summary>The keyword a keyword-anchored provider's keys must appear next to.</summary>
    public static string ContextFor(ProviderId provider) => provider.Value switch
    {
        "azure-openai" => "endpoint: https://contoso.openai.azure.com/",
        _ => provider.Value.ToUpperInvariant() + "_API_KEY",
    };

    public static LeakScanner Scanner(params ManagedKey[] keys) =>
        new(Catalog, Fingerprinter, ManagedKeyIndex.Create(keys, Fingerprinter));

    public static ManagedKey ManagedKey(ProviderId provider, string name, params (string Value, KeyStage Stage)[] versions)
    {
        var list = new List<KeyVersion>();
        var i = 0;
        foreach (var (value, stage) in versions)
        {
            using var secret = SecretValue.FromString(value);
            list.Add(new KeyVersion
            {
                VersionId = $"kv_{name}_{i++}",
                Stage = stage,
                CreatedAt = Instant.FromUtc(2026, 1, 1, 0, 0),
                DisplayHint = secret.DisplayHint,
                Fingerprint = Fingerprinter.Compute(secret),
                Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[32], Nonce = new byte[12], Ciphertext = new byte[16] },
            });
        }

        return new ManagedKey { Reference = new KeyReference(provider, name), Versions = list };
    }
}
