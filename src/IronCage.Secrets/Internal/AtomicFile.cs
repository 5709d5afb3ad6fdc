using System.Text;

namespace IronCage.Secrets;

/// <summary>Replaces a file atomically: the new content goes to a temporary file in the same directory (mode 0600 on
/// Unix), is flushed to disk, then renamed over the old file, so a reader sees the old content or the new, never half.</summary>
internal static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task WriteAsync(string path, ReadOnlyMemory<char> content, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new KeySourceException($"{path} has no directory.");
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var bytes = new byte[Utf8.GetMaxByteCount(content.Length)];
        try
        {
            var count = Utf8.GetBytes(content.Span, bytes);
            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    public static async Task<char[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            var start = bytes.AsSpan().StartsWith(Utf8.Preamble) ? Utf8.Preamble.Length : 0;
            var chars = new char[Utf8.GetCharCount(bytes.AsSpan(start))];
            Utf8.GetChars(bytes.AsSpan(start), chars);
            return chars;
        }
        finally
        {
            Array.Clear(bytes);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
