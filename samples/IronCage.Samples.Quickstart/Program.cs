using IronCage;

// The full quickstart (a loopback provider emulator, an SQLite store, a rotation with a grace period, usage and the
// audit trail) arrives with the provider emulator and storage packages. Until then this sample shows what IronCage
// already knows about every provider, and checks a few key values the way IronCage checks keys before it stores them.

Console.WriteLine("IronCage quickstart — coming soon: the full rotation walkthrough needs the provider emulator (not yet built).");
Console.WriteLine();
Console.WriteLine("What IronCage knows about each provider:");
Console.WriteLine();
Console.WriteLine($"{"provider",-15} {"rotation tier",-17} {"key API",-58} verify call");
Console.WriteLine(new string('-', 130));
foreach (var provider in ProviderCatalog.BuiltIn.All)
{
    var operations = string.Join(", ", Enum.GetValues<ProviderCapabilities>()
        .Where(c => c is not ProviderCapabilities.None and not ProviderCapabilities.Verify && provider.Supports(c))
        .Select(c => provider.GetSupport(c) == CapabilitySupport.Limited ? c + "*" : c.ToString()));
    var verify = provider.VerifyCall?.ToString() ?? "(none free)";
    Console.WriteLine($"{provider.Id,-15} {provider.Tier,-17} {(operations.Length == 0 ? "none" : operations),-58} {verify}");
}

Console.WriteLine();
Console.WriteLine("* = limited; see the descriptor's CapabilityNotes.");
Console.WriteLine();
Console.WriteLine("Key values are checked before they are stored (never echoed back):");
Console.WriteLine();

var examples = new (ProviderId Provider, KeyKind Kind, string Value)[]
{
    (ProviderId.OpenAI, KeyKind.Inference, "your-api-key"),
    (ProviderId.OpenAI, KeyKind.Inference, "sk-ant-api03-" + DemoChars(93) + "AA"),
    (ProviderId.Anthropic, KeyKind.Inference, "sk-ant-admin01-" + DemoChars(93) + "AA"),
    (ProviderId.Groq, KeyKind.Inference, "gsk_" + DemoChars(51)),
    (ProviderId.Groq, KeyKind.Inference, "gsk_" + DemoChars(52)),
};

foreach (var (provider, kind, value) in examples)
{
    using var key = SecretValue.FromString(value);
    var result = KeyFormatValidator.BuiltIn.Check(provider, key, kind);
    Console.WriteLine($"  {provider,-10} {key.DisplayHint,-12} {(result.IsValid ? "ok" : result.Error.ToString()),-20} {result.Message}");
}

// Made-up characters of a key's shape, for the demo only (never a real key).
static string DemoChars(int length) => string.Concat(Enumerable.Range(0, length).Select(i => "Zk4Qm8Tr2Wx6Bn0Yp5Hc9Jv3Ld7Fs1Ga"[(i * 11) % 32]));
