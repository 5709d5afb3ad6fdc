using System.Text;
using IronCage.Leaks.Egress;
using IronCage.Leaks.Scanning;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;

namespace IronCage.Leaks.Tests.Egress;

/// <summary>The egress guard's fast path: live keys found by their hints' heads and tails, over bytes and chars.</summary>
public sealed class ManagedKeyAnchorsTests
{
    [Theory]
    [MemberData(nameof(AllPrefixProviders))]
    public void Inspect_LiveKeyOfEveryPrefixProviderInAUtf8Body_IsFound(string providerId)
    {
        var provider = new ProviderId(providerId);
        var value = LeakTestKeys.Generate(provider);
        var scanner = LeakTestKeys.Scanner(LeakTestKeys.ManagedKey(provider, "prod", (value, KeyStage.Current)));

        var finding = LeakEgressGuard.Inspect(scanner, Encoding.UTF8.GetBytes($"{{\"content\":\"Grüße — the log said {value}. Why?\"}}"));

        finding.Should().NotBeNull();
        finding!.Classification.Should().Be(LeakClassification.ManagedCurrent);
        finding.Provider.Should().Be(provider);
        finding.Location.Column.Should().Be("{\"content\":\"Grüße — the log said ".Length + 1, "the column counts characters, not UTF-8 bytes");
    }

    [Fact]
    public void Inspect_OpaqueKeysWithoutAPrefix_AreFoundByTheirHints()
    {
        // Mistral-style keys: 32 letters and digits, no prefix, no keyword next to them in the body.
        var keys = Enumerable.Range(0, 6).Select(_ => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))).ToArray();
        var scanner = LeakTestKeys.Scanner([.. keys.Select((k, i) => LeakTestKeys.ManagedKey(ProviderId.Mistral, "m" + i, (k, KeyStage.Current)))]);

        foreach (var key in keys)
        {
            LeakEgressGuard.Inspect(scanner, Encoding.UTF8.GetBytes($"please summarise: {key}")).Should().NotBeNull("six distinct heads take the decoded multi-string search");
        }

        LeakEgressGuard.Inspect(scanner, Encoding.UTF8.GetBytes("please summarise: " + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)))).Should().BeNull();
    }

    [Fact]
    public void Inspect_KeyInsideALongerToken_IsFound()
    {
        var value = LeakTestKeys.Generate(ProviderId.OpenAI);
        var scanner = LeakTestKeys.Scanner(LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (value, KeyStage.Previous)));

        var finding = LeakEgressGuard.Inspect(scanner, Encoding.UTF8.GetBytes($"url=https://x.test/?k=abc{value}.tail-_x"));

        finding.Should().NotBeNull();
        finding!.Classification.Should().Be(LeakClassification.ManagedPrevious);
    }

    [Fact]
    public void Inspect_RevokedVersion_IsNotRefused()
    {
        var value = LeakTestKeys.Generate(ProviderId.OpenAI);
        var scanner = LeakTestKeys.Scanner(LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (value, KeyStage.Revoked)));

        LeakEgressGuard.Inspect(scanner, Encoding.UTF8.GetBytes(value)).Should().BeNull("a revoked key no longer works anywhere");
    }

    [Fact]
    public void Inspect_VersionWithoutAUsableHint_IsStillFoundByTheRuleSearch()
    {
        var value = LeakTestKeys.Generate(ProviderId.OpenAI);
        var key = LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (value, KeyStage.Current));
        key = key with { Versions = [key.Versions[0] with { DisplayHint = "…" }] };
        var scanner = LeakTestKeys.Scanner(key);

        LeakEgressGuard.Inspect(scanner, Encoding.UTF8.GetBytes($"key: {value}")).Should().NotBeNull();
    }

    [Fact]
    public void Inspect_HostileBodyOfHeadsAndTails_FallsBackAndStillFindsTheKey()
    {
        var value = LeakTestKeys.Generate(ProviderId.OpenAI);
        var scanner = LeakTestKeys.Scanner(LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (value, KeyStage.Current)));
        var tail = value[^4..];
        var padding = string.Concat(Enumerable.Repeat("sk-" + new string('a', 20) + tail, 400));

        var finding = LeakEgressGuard.Inspect(scanner, Encoding.UTF8.GetBytes(padding + " " + value));

        finding.Should().NotBeNull("more than the candidate cap sends the guard to the rule search, which still finds the key");
    }

    [Fact]
    public void FindCandidates_TextWithoutHeads_YieldsNothing()
    {
        var value = LeakTestKeys.Generate(ProviderId.OpenAI);
        var index = ManagedKeyIndex.Create([LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (value, KeyStage.Current))], LeakTestKeys.Fingerprinter);
        List<ManagedKeyAnchors.Candidate>? candidates = null;

        var complete = index.LiveAnchors.FindCandidates<byte>(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("risky task - ask for the desk-lamp. ", 100))), ref candidates);

        complete.Should().BeTrue();
        candidates.Should().BeNull();
        index.LiveAnchors.HasUnanchored.Should().BeFalse();
    }

    public static TheoryData<string> AllPrefixProviders()
    {
        var data = new TheoryData<string>();
        foreach (var provider in LeakTestKeys.PrefixProviders)
        {
            data.Add(provider.Value);
        }

        return data;
    }
}
