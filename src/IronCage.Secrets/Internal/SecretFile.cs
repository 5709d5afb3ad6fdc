using System.Text;

namespace IronCage.Secrets;

/// <summary>Reads a file that holds one secret: UTF-8, trailing line breaks trimmed, bounded in size.</summary>
internal static class SecretFile
{
    /// <summary>Files larger than this hold something other than one key (a certificate bundle) and are not read.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Reads the secret, or returns <see langword="null"/> when the file is empty or larger than <see cref="MaxLength"/>.</summary>
    public static async Task<SecretValue?> ReadAsync(string path, string what, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxLength)
            {
                return null;
            }

            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeySourceException($"{what}, which cannot be read ({ex.GetType().Name}). Mount the secret there or fix the path.", ex);
        }

        try
        {
            var length = bytes.Length;
            while (length > 0 && bytes[length - 1] is (byte)'\n' or (byte)'\r')
            {
                length--;
            }

            var start = bytes.AsSpan(0, length).StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
            return length - start <= 0 ? null : SecretValue.FromUtf8(bytes.AsSpan(start, length - start));
        }
        finally
        {
            Array.Clear(bytes);
        }
    }
}
