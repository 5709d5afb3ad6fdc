using System.Security.Cryptography;

namespace IronCage.Internal;

/// <summary>
/// Random 96-bit AES-GCM nonces from the operating system's generator, read 40 at a time per thread: a read costs about
/// as much as the encryption it serves, whatever its length. A nonce is public (it is stored next to its ciphertext), so
/// holding the next ones in memory gives nothing away; they are as random and as unique as one read each.
/// </summary>
internal static class NonceSource
{
    public const int NonceSize = 12;
    private const int Batch = 40;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    public static void Fill(Span<byte> nonce)
    {
        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException($"A nonce is {NonceSize} bytes.", nameof(nonce));
        }

        var buffer = t_buffer ??= new byte[NonceSize * Batch];
        if (t_next == 0 || t_next >= buffer.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            t_next = 0;
        }

        buffer.AsSpan(t_next, NonceSize).CopyTo(nonce);

        // A nonce handed out is cleared, so no two callers (or a later one) can ever get the same bytes from the buffer.
        buffer.AsSpan(t_next, NonceSize).Clear();
        t_next += NonceSize;
    }
}
