using IronCage.Encryption;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;
using IronCage.Storage;

namespace IronCage.Leaks.Tests.Scanning;

public sealed class ManagedKeyIndexTests
{
    [Fact]
    public void ScanText_ValuesOfEveryStage_AreClassifiedByFingerprint()
    {
        string current = LeakTestKeys.Generate(ProviderId.OpenAI), previous = LeakTestKeys.Generate(ProviderId.OpenAI), retired = LeakTestKeys.Generate(ProviderId.OpenAI), stranger = LeakTestKeys.Generate(ProviderId.OpenAI);
        var key = LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (retired, KeyStage.Revoked), (previous, KeyStage.Previous), (current, KeyStage.Current));

        var findings = LeakTestKeys.Scanner(key).ScanText($"{current}\n{previous}\n{retired}\n{stranger}\n");

        findings.Select(f => (f.Classification, f.ManagedKey, f.VersionId)).Should().Equal(
            (LeakClassification.ManagedCurrent, new KeyReference(ProviderId.OpenAI, "prod"), "kv_prod_2"),
            (LeakClassification.ManagedPrevious, new KeyReference(ProviderId.OpenAI, "prod"), "kv_prod_1"),
            (LeakClassification.Retired, new KeyReference(ProviderId.OpenAI, "prod"), "kv_prod_0"),
            (LeakClassification.Unknown, (KeyReference?)null, (string?)null));
        findings[0].Fingerprint.Should().Be(key.CurrentVersion!.Fingerprint);
    }

    [Fact]
    public void ScanText_FingerprintMadeWithAnOlderFingerprintKey_StillMatches()
    {
        var value = LeakTestKeys.Generate(ProviderId.Groq);
        var oldKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var old = new HmacSecretFingerprinter("old", oldKey);
        using var secret = SecretValue.FromString(value);
        var managed = LeakTestKeys.ManagedKey(ProviderId.Groq, "ci", (value, KeyStage.Current));
        managed = managed with { Versions = [managed.Versions[0] with { Fingerprint = old.Compute(secret) }] };
        var both = new TwoKeyFingerprinter(LeakTestKeys.Fingerprinter, old);

        var findings = new LeakScanner(LeakTestKeys.Catalog, both, ManagedKeyIndex.Create([managed], both)).ScanText(value);

        findings.Should().ContainSingle().Which.Classification.Should().Be(LeakClassification.ManagedCurrent);
    }

    [Fact]
    public async Task LoadAsync_Store_IndexesEveryVersion()
    {
        var store = new InMemoryKeyStore();
        await store.CreateAsync(LeakTestKeys.ManagedKey(ProviderId.Groq, "a", (LeakTestKeys.Generate(ProviderId.Groq), KeyStage.Current)));
        await store.CreateAsync(LeakTestKeys.ManagedKey(ProviderId.XAI, "b", (LeakTestKeys.Generate(ProviderId.XAI), KeyStage.Previous), (LeakTestKeys.Generate(ProviderId.XAI), KeyStage.Current)));

        var index = await ManagedKeyIndex.LoadAsync(store, LeakTestKeys.Fingerprinter);

        index.Count.Should().Be(3);
    }

    [Fact]
    public void Finding_ToStringAndProperties_NeverContainTheValue()
    {
        var value = LeakTestKeys.Generate(ProviderId.Anthropic);
        var key = LeakTestKeys.ManagedKey(ProviderId.Anthropic, "prod", (value, KeyStage.Current));

        var finding = LeakTestKeys.Scanner(key).ScanText($"ANTHROPIC_API_KEY={value}", ".env").Should().ContainSingle().Subject;

        var rendered = string.Join('\n', finding.ToString(), finding.Hint, finding.Fingerprint, finding.Location.ToString(), System.Text.Json.JsonSerializer.Serialize(finding));
        rendered.Should().NotContain(value).And.NotContain(value[13..40]);
        typeof(LeakFinding).GetProperties().Select(p => p.Name).Should().NotContain(n => n.Contains("Value", StringComparison.OrdinalIgnoreCase) || n.Contains("Secret", StringComparison.OrdinalIgnoreCase) || n.Contains("Raw", StringComparison.OrdinalIgnoreCase));
    }

    private sealed class TwoKeyFingerprinter(ISecretFingerprinter current, ISecretFingerprinter old) : ISecretFingerprinter
    {
        public string Compute(SecretValue secret) => current.Compute(secret);

        public bool Matches(SecretValue secret, string fingerprint) => current.Matches(secret, fingerprint) || old.Matches(secret, fingerprint);
    }
}
