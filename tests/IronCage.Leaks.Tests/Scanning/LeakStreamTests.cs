using System.Text;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;

namespace IronCage.Leaks.Tests.Scanning;

public sealed class LeakStreamTests
{
    private const int BufferChars = 64 * 1024;

    [Theory]
    [InlineData(BufferChars - 10)]
    [InlineData(BufferChars - 1)]
    [InlineData(BufferChars)]
    [InlineData((2 * BufferChars) - 600)]
    [InlineData((3 * BufferChars) - 57)]
    public async Task ScanAsync_KeySplitAcrossBufferBoundary_IsFoundOnceWithItsLineAndColumn(int keyStart)
    {
        var key = LeakTestKeys.Generate(ProviderId.Anthropic);
        var filler = FillerLines(keyStart - 1) + " ";
        var text = filler + key + "\nafter\n" + FillerLines(BufferChars);
        var expectedLine = filler.Count(c => c == '\n') + 1;
        var expectedColumn = keyStart - (filler.LastIndexOf('\n') + 1) + 1;

        var findings = await Collect(LeakTestKeys.Scanner().ScanAsync(new StringReader(text), "big.txt"));

        findings.Should().ContainSingle();
        findings[0].Location.Line.Should().Be(expectedLine);
        findings[0].Location.Column.Should().Be(expectedColumn);
    }

    [Fact]
    public async Task ScanAsync_OneLineLongerThanTheBuffer_FindsKeysAtEveryCut()
    {
        var keys = Enumerable.Range(0, 12).Select(_ => LeakTestKeys.Generate(ProviderId.Groq)).ToArray();
        var line = new StringBuilder();
        foreach (var key in keys)
        {
            line.Append(new string('.', BufferChars / 3 - 17)).Append(' ').Append(key).Append(' ');
        }

        var findings = await Collect(LeakTestKeys.Scanner().ScanAsync(new StringReader("first\n" + line + "\nlast"), "min.js"));

        findings.Should().HaveCount(keys.Length);
        findings.Should().OnlyContain(f => f.Location.Line == 2);
        var text = line.ToString();
        findings.Select(f => f.Location.Column).Should().Equal(keys.Select(k => text.IndexOf(k, StringComparison.Ordinal) + 1));
    }

    [Fact]
    public async Task ScanStreamAsync_ReaderThatReturnsOneCharAtATime_FindsTheKey()
    {
        var key = LeakTestKeys.Generate(ProviderId.XAI);
        var bytes = Encoding.UTF8.GetBytes($"a\nb\nXAI = \"{key}\"\n");

        var findings = await Collect(LeakTestKeys.Scanner().ScanStreamAsync(new TrickleStream(bytes)));

        findings.Should().ContainSingle().Which.Location.Should().Be(new LeakLocation { Line = 3, Column = 8 });
    }

    [Fact]
    public async Task ScanStreamAsync_LargeInput_DoesNotReadItWhole()
    {
        // 64 MB generated on the fly: a scan that buffered the input would allocate far more than this bound.
        var key = LeakTestKeys.Generate(ProviderId.OpenRouter);
        var stream = new GeneratedStream(64L * 1024 * 1024, Encoding.ASCII.GetBytes($"OPENROUTER={key}\n"));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var findings = await Collect(LeakTestKeys.Scanner().ScanStreamAsync(stream));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        findings.Should().ContainSingle().Which.Provider.Should().Be(ProviderId.OpenRouter);
        allocated.Should().BeLessThan(16L * 1024 * 1024);
    }

    internal static async Task<List<LeakFinding>> Collect(IAsyncEnumerable<LeakFinding> findings)
    {
        var list = new List<LeakFinding>();
        await foreach (var finding in findings)
        {
            list.Add(finding);
        }

        return list;
    }

    private static string FillerLines(int length)
    {
        var builder = new StringBuilder(length);
        var i = 0;
        while (builder.Length < length)
        {
            var line = $"line {i++}: the quick brown fox jumps over the lazy dog\n";
            builder.Append(line.AsSpan(0, Math.Min(line.Length, length - builder.Length)));
        }

        return builder.ToString();
    }

    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);
    }

    /// <summary>A read-only stream of filler text with one payload in the middle, generated as it is read.</summary>
    private sealed class GeneratedStream(long length, byte[] payload) : Stream
    {
        private static readonly byte[] Filler = Encoding.ASCII.GetBytes("public static int Compute(int x) => x * 31 + 7; // 0123456789abcdef\n");
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < length)
            {
                var source = _position == length / 2 / Filler.Length * Filler.Length ? payload : Filler;
                var chunk = Math.Min(source.Length, buffer.Length - written);
                if (chunk < source.Length)
                {
                    break;
                }

                source.CopyTo(buffer[written..]);
                written += chunk;
                _position += chunk;
            }

            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
