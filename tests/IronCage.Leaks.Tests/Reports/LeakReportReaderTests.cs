using System.Text;
using System.Text.Json;
using IronCage.Leaks.Reports;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;

namespace IronCage.Leaks.Tests.Reports;

public sealed class LeakReportReaderTests
{
    [Fact]
    public async Task ReadTrufflehogAsync_GitAndFilesystemResults_BecomeMatchedFindings()
    {
        var managed = LeakTestKeys.Generate(ProviderId.OpenAI);
        var mistral = LeakTestKeys.Generate(ProviderId.Mistral);
        var key = LeakTestKeys.ManagedKey(ProviderId.OpenAI, "prod", (managed, KeyStage.Current));
        // The shape trufflehog v3 writes with --json: one result per line.
        var report = string.Join('\n',
            Json(new { SourceMetadata = new { Data = new { Git = new { commit = "9f1c2ab", file = "config/settings.py", email = "dev <dev@example.invalid>", repository = "https://github.com/acme/app.git", timestamp = "2026-11-30 10:01:02 +0000", line = 12 } } }, SourceID = 1, SourceType = 7, SourceName = "trufflehog - git", DetectorType = 9, DetectorName = "OpenAI", DecoderName = "PLAIN", Verified = false, Raw = managed, RawV2 = "", Redacted = "", ExtraData = (object?)null, StructuredData = (object?)null }),
            Json(new { SourceMetadata = new { Data = new { Filesystem = new { file = "/srv/app/.env", line = 3 } } }, SourceID = 2, SourceType = 15, SourceName = "trufflehog - filesystem", DetectorType = 899, DetectorName = "Mistral", DecoderName = "PLAIN", Verified = false, Raw = mistral, RawV2 = "", Redacted = "" }),
            "");

        var findings = await IronCage.Leaks.Tests.Scanning.LeakStreamTests.Collect(new LeakReportReader(LeakTestKeys.Scanner(key)).ReadTrufflehogAsync(new MemoryStream(Encoding.UTF8.GetBytes(report))));

        findings.Should().HaveCount(2);
        findings[0].Classification.Should().Be(LeakClassification.ManagedCurrent);
        findings[0].Location.Should().Be(new LeakLocation { Path = "config/settings.py", Line = 12, Commit = "9f1c2ab" });
        findings[1].Provider.Should().Be(ProviderId.Mistral);
        findings[1].Location.Should().Be(new LeakLocation { Path = "/srv/app/.env", Line = 3 });
        findings.Select(f => f.ToString()).Should().NotContain(t => t.Contains(managed) || t.Contains(mistral));
    }

    [Fact]
    public async Task ReadGitleaksAsync_Report_BecomesFindingsWithLineColumnAndCommit()
    {
        var groq = LeakTestKeys.Generate(ProviderId.Groq);
        // The shape gitleaks writes with --report-format json.
        var report = Json(new[]
        {
            new { Description = "Groq API Key", StartLine = 4, EndLine = 4, StartColumn = 9, EndColumn = 64, Match = "GROQ = " + groq, Secret = groq, File = "scripts/run.sh", SymlinkFile = "", Commit = "b7e4d1f0c9a8", Entropy = 5.1, Author = "dev", Email = "dev@example.invalid", Date = "2026-11-30T10:01:02Z", Message = "wip", Tags = Array.Empty<string>(), RuleID = "groq-api-key", Fingerprint = "b7e4d1f0c9a8:scripts/run.sh:groq-api-key:4" },
            new { Description = "Generic API Key", StartLine = 1, EndLine = 1, StartColumn = 1, EndColumn = 20, Match = "password=hunter2hunter2", Secret = "hunter2hunter2", File = "a.txt", SymlinkFile = "", Commit = "", Entropy = 3.0, Author = "", Email = "", Date = "", Message = "", Tags = Array.Empty<string>(), RuleID = "generic-api-key", Fingerprint = "a.txt:generic-api-key:1" },
        });

        var findings = await IronCage.Leaks.Tests.Scanning.LeakStreamTests.Collect(new LeakReportReader(LeakTestKeys.Scanner()).ReadGitleaksAsync(new MemoryStream(Encoding.UTF8.GetBytes(report))));

        findings.Should().ContainSingle().Which.Location.Should().Be(new LeakLocation { Path = "scripts/run.sh", Line = 4, Column = 9, Commit = "b7e4d1f0c9a8" });
    }

    [Fact]
    public async Task ReadGitleaksAsync_NotJson_ThrowsLeakScanException()
    {
        var act = async () => await IronCage.Leaks.Tests.Scanning.LeakStreamTests.Collect(new LeakReportReader(LeakTestKeys.Scanner()).ReadGitleaksAsync(new MemoryStream("Finding: x"u8.ToArray())));

        await act.Should().ThrowAsync<LeakScanException>().WithMessage("*--report-format json*");
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
