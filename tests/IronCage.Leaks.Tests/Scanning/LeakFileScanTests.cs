using IronCage.Leaks.Tests.Support;
using IronCage.Providers;

namespace IronCage.Leaks.Tests.Scanning;

public sealed class LeakFileScanTests
{
    [Fact]
    public async Task ScanDirectoryAsync_Tree_FindsTextFilesAndSkipsGitAndBinaries()
    {
        using var dir = new TempDirectory();
        var groq = LeakTestKeys.Generate(ProviderId.Groq);
        var gemini = LeakTestKeys.Generate(ProviderId.GoogleGemini);
        dir.Write("src/settings.json", $"{{\n  \"groq\": \"{groq}\"\n}}\n");
        dir.Write("deploy/.env", $"GEMINI_API_KEY={gemini}\n");
        dir.Write(".git/config", $"token = {LeakTestKeys.Generate(ProviderId.Groq)}\n");
        File.WriteAllBytes(Path.Combine(dir.Path, "image.bin"), [0x89, 0x50, 0x4E, 0x47, 0x00, .. System.Text.Encoding.ASCII.GetBytes(LeakTestKeys.Generate(ProviderId.Groq))]);

        var findings = await LeakStreamTests.Collect(LeakTestKeys.Scanner().ScanDirectoryAsync(dir.Path));

        findings.Select(f => (f.Provider, f.Location.Path, f.Location.Line)).Should().BeEquivalentTo(
        [
            (ProviderId.GoogleGemini, "deploy/.env", 1),
            (ProviderId.Groq, "src/settings.json", 2),
        ]);
    }

    [Fact]
    public async Task ScanDirectoryAsync_TreeWithANamedPipeAndAnEmptyFile_SkipsThemAndFindsTheKey()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // named pipes in the file system are a Unix thing
        }

        using var dir = new TempDirectory();
        var groq = LeakTestKeys.Generate(ProviderId.Groq);
        dir.Write("config/.env", $"GROQ_API_KEY={groq}\n");
        dir.Write("config/empty.txt", string.Empty);
        var fifo = Path.Combine(dir.Path, "config", "control.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            mkfifo.ExitCode.Should().Be(0);
        }

        // On its own thread: opening a pipe blocks in the system call, so a regression must fail the test, not hang it.
        var scan = Task.Run(() => LeakStreamTests.Collect(LeakTestKeys.Scanner().ScanDirectoryAsync(dir.Path)));

        (await Task.WhenAny(scan, Task.Delay(TimeSpan.FromMinutes(1)))).Should().BeSameAs(scan, "opening the pipe would wait for a writer forever");
        (await scan).Should().ContainSingle().Which.Location.Path.Should().Be("config/.env");
    }

    [Fact]
    public async Task ScanFileAsync_Utf16FileWithByteOrderMark_IsDecoded()
    {
        using var dir = new TempDirectory();
        var key = LeakTestKeys.Generate(ProviderId.Perplexity);
        var path = Path.Combine(dir.Path, "notes.txt");
        await File.WriteAllTextAsync(path, $"key {key}\n", new System.Text.UnicodeEncoding(bigEndian: false, byteOrderMark: true));

        var findings = await LeakStreamTests.Collect(LeakTestKeys.Scanner().ScanFileAsync(path, "notes.txt"));

        findings.Should().ContainSingle().Which.Location.Should().Be(new LeakLocation { Path = "notes.txt", Line = 1, Column = 5 });
    }

    [Fact]
    public async Task ScanGitHistoryAsync_KeyAddedThenRemoved_IsFoundWithTheCommitThatAddedIt()
    {
        using var dir = new TempDirectory();
        dir.Git("init", "-q", "-b", "main");
        dir.Write("README.md", "# demo\n");
        dir.Git("add", ".");
        dir.Git("commit", "-q", "-m", "init");
        var key = LeakTestKeys.Generate(ProviderId.Anthropic);
        dir.Write("src/client.py", $"import anthropic\n\nclient = anthropic.Anthropic(\n    api_key=\"{key}\",\n)\n");
        dir.Git("add", ".");
        dir.Git("commit", "-q", "-m", "add client");
        var added = dir.Git("rev-parse", "HEAD");
        dir.Write("src/client.py", "import anthropic\n\nclient = anthropic.Anthropic()\n");
        dir.Git("commit", "-q", "-am", "read the key from the environment");

        var findings = await LeakStreamTests.Collect(LeakTestKeys.Scanner().ScanGitHistoryAsync(dir.Path));

        findings.Should().ContainSingle().Which.Location.Should().Be(new LeakLocation { Path = "src/client.py", Line = 4, Column = 14, Commit = added });
    }

    [Fact]
    public async Task ScanGitHistoryAsync_KeyOnAnotherBranch_IsFound()
    {
        using var dir = new TempDirectory();
        dir.Git("init", "-q", "-b", "main");
        dir.Write("a.txt", "a\n");
        dir.Git("add", ".");
        dir.Git("commit", "-q", "-m", "init");
        dir.Git("checkout", "-q", "-b", "feature");
        var key = LeakTestKeys.Generate(ProviderId.Replicate);
        dir.Write("a.txt", $"a\nREPLICATE_API_TOKEN={key}\n");
        dir.Git("commit", "-q", "-am", "token");
        dir.Git("checkout", "-q", "main");

        var findings = await LeakStreamTests.Collect(LeakTestKeys.Scanner().ScanGitHistoryAsync(dir.Path));

        findings.Should().ContainSingle().Which.Location.Line.Should().Be(2);
    }

    [Fact]
    public async Task ScanGitHistoryAsync_NotARepository_ThrowsLeakScanException()
    {
        using var dir = new TempDirectory();

        var act = async () => await LeakStreamTests.Collect(LeakTestKeys.Scanner().ScanGitHistoryAsync(dir.Path));

        await act.Should().ThrowAsync<LeakScanException>().WithMessage("*git repository*");
    }
}
