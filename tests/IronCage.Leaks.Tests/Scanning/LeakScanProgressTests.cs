using IronCage.Leaks.Scanning;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;

namespace IronCage.Leaks.Tests.Scanning;

public sealed class LeakScanProgressTests
{
    [Fact]
    public async Task WithProgress_DirectoryScan_ReportsEveryCharacterAndEveryTextFile()
    {
        using var dir = new TempDirectory();
        var big = string.Concat(Enumerable.Repeat("var total = items.Sum(i => i.Price * i.Quantity); // prose and code\n", 5_000));
        dir.Write("a.cs", big);
        dir.Write("sub/b.txt", $"GROQ_API_KEY={LeakTestKeys.Generate(ProviderId.Groq)}\n");
        File.WriteAllBytes(System.IO.Path.Combine(dir.Path, "image.bin"), [0x89, 0x50, 0x00, 0x01]);
        var reports = new List<LeakScanProgress>();
        var scanner = LeakTestKeys.Scanner().WithProgress(new Recorder(reports));
        var expectedChars = big.Length + File.ReadAllText(System.IO.Path.Combine(dir.Path, "sub", "b.txt")).Length;

        var findings = 0;
        await foreach (var _ in scanner.ScanDirectoryAsync(dir.Path))
        {
            findings++;
        }

        findings.Should().Be(1);
        reports.Should().NotBeEmpty();
        reports[^1].Should().Be(new LeakScanProgress(expectedChars, 2, 0), "the binary file is skipped and not counted");
        reports.Select(r => r.CharactersScanned).Should().BeInAscendingOrder();
        reports.Count(r => r.FilesScanned == 0).Should().BeGreaterThan(1, "a large file reports as it goes, not only at its end");
    }

    [Fact]
    public async Task WithProgress_GitHistoryScan_CountsCommits()
    {
        using var dir = new TempDirectory();
        dir.Git("init", "-q", "-b", "main");
        for (var i = 0; i < 3; i++)
        {
            dir.Write($"f{i}.txt", $"line {i}\n");
            dir.Git("add", ".");
            dir.Git("commit", "-q", "-m", $"c{i}");
        }

        var reports = new List<LeakScanProgress>();
        await foreach (var _ in LeakTestKeys.Scanner().WithProgress(new Recorder(reports)).ScanGitHistoryAsync(dir.Path))
        {
        }

        reports[^1].CommitsScanned.Should().Be(3);
        reports[^1].CharactersScanned.Should().Be(3 * "line 0".Length);
    }

    [Fact]
    public async Task WithManagedKeys_AfterWithProgress_KeepsReporting()
    {
        var reports = new List<LeakScanProgress>();
        var scanner = LeakTestKeys.Scanner().WithProgress(new Recorder(reports)).WithManagedKeys(ManagedKeyIndex.Empty);

        await foreach (var _ in scanner.ScanAsync(new StringReader("hello world")))
        {
        }

        reports.Should().ContainSingle().Which.CharactersScanned.Should().Be(11);
    }

    // Synchronous, unlike Progress<T>, so the test sees every report in order.
    private sealed class Recorder(List<LeakScanProgress> reports) : IProgress<LeakScanProgress>
    {
        public void Report(LeakScanProgress value) => reports.Add(value);
    }
}
