using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace IronCage;

/// <summary>
/// A secret (an API key) held in memory only. It never shows its value: <see cref="ToString()"/>,
/// string interpolation, System.Text.Json and the debugger all see a masked form with the
/// <see cref="DisplayHint"/>. Equality runs in fixed time, and <see cref="Dispose"/> zeroes the bytes.
/// </summary>
/// <remarks>
/// The value is copied into a pinned buffer so the garbage collector never leaves stray copies behind.
/// Strings handed to <see cref="FromString"/> or returned by <see cref="Reveal"/> are ordinary .NET strings
/// that cannot be zeroed: reveal only where a string is unavoidable (an HTTP header) and keep it short-lived.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
[DebuggerTypeProxy(typeof(SecretValueDebugView))]
[JsonConverter(typeof(SecretValueJsonConverter))]
public sealed class SecretValue : IDisposable, IEquatable<SecretValue>, IFormattable
{
    private const int MinLengthForHint = 20;

    // Longest value copied to the stack for a moment (UseChars, Matches); API keys are far shorter.
    private const int StackChars = 256;

    [DebuggerBrowsable(DebuggerBrowsableState.Never)]
    private readonly byte[] _utf8;

    private int _disposed;

    private SecretValue(byte[] pinnedUtf8, string hint)
    {
        _utf8 = pinnedUtf8;
        DisplayHint = hint;
    }

    /// <summary>Gets a short hint that identifies the secret to a person without revealing it, such as <c>sk-…wxyz</c>.</summary>
    /// <value>The first three and last four characters for secrets of at least 20 characters; otherwise just <c>…</c>.</value>
    public string DisplayHint { get; }

    /// <summary>Gets the length of the secret's UTF-8 form in bytes.</summary>
    public int Length => _utf8.Length;

    /// <summary>Gets a value indicating whether <see cref="Dispose"/> has zeroed the secret.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Copies a secret from a string.</summary>
    /// <param name="value">The secret.</param>
    /// <returns>A new <see cref="SecretValue"/> that owns a pinned copy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is <see langword="null"/>.</exception>
    public static SecretValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return FromChars(value.AsSpan());
    }

    /// <summary>Copies a secret from characters.</summary>
    /// <param name="value">The secret.</param>
    /// <returns>A new <see cref="SecretValue"/> that owns a pinned copy.</returns>
    public static SecretValue FromChars(ReadOnlySpan<char> value)
    {
        var bytes = GC.AllocateArray<byte>(Encoding.UTF8.GetByteCount(value), pinned: true);
        Encoding.UTF8.GetBytes(value, bytes);
        return new SecretValue(bytes, ComputeHint(value));
    }

    /// <summary>Copies a secret from its UTF-8 bytes.</summary>
    /// <param name="value">The secret's UTF-8 bytes.</param>
    /// <returns>A new <see cref="SecretValue"/> that owns a pinned copy.</returns>
    /// <exception cref="ArgumentException">The bytes are not valid UTF-8.</exception>
    public static SecretValue FromUtf8(ReadOnlySpan<byte> value)
    {
        if (!Utf8.IsValid(value))
        {
            throw new ArgumentException("The secret is not valid UTF-8 text.", nameof(value));
        }

        var bytes = GC.AllocateArray<byte>(value.Length, pinned: true);
        value.CopyTo(bytes);
        // The characters are needed only for the hint: a short secret's stay on the stack, a long one's in a pinned buffer.
        var count = Encoding.UTF8.GetCharCount(value);
        var chars = count <= 256 ? stackalloc char[count] : GC.AllocateArray<char>(count, pinned: true);
        try
        {
            Encoding.UTF8.GetChars(value, chars);
            return new SecretValue(bytes, ComputeHint(chars));
        }
        finally
        {
            chars.Clear();
        }
    }

    /// <summary>
    /// Returns the plaintext as a string. Use only where a string is unavoidable (an HTTP header) and never log it.
    /// </summary>
    /// <returns>The secret.</returns>
    /// <exception cref="ObjectDisposedException">The secret was disposed.</exception>
    public string Reveal()
    {
        ThrowIfDisposed();
        return Encoding.UTF8.GetString(_utf8);
    }

    /// <summary>Runs <paramref name="func"/> over the secret's UTF-8 bytes without copying them into a string.</summary>
    /// <typeparam name="TState">The state passed through to <paramref name="func"/>.</typeparam>
    /// <typeparam name="TResult">What <paramref name="func"/> returns.</typeparam>
    /// <param name="state">State for <paramref name="func"/>, so it need not capture.</param>
    /// <param name="func">The function; it must not keep the span.</param>
    /// <returns>What <paramref name="func"/> returned.</returns>
    /// <exception cref="ObjectDisposedException">The secret was disposed.</exception>
    public TResult UseBytes<TState, TResult>(TState state, SecretBytesFunc<TState, TResult> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        ThrowIfDisposed();
        return func(_utf8, state);
    }

    /// <summary>Runs <paramref name="func"/> over the secret's characters, in a buffer that is cleared afterwards.</summary>
    /// <typeparam name="TState">The state passed through to <paramref name="func"/>.</typeparam>
    /// <typeparam name="TResult">What <paramref name="func"/> returns.</typeparam>
    /// <param name="state">State for <paramref name="func"/>, so it need not capture.</param>
    /// <param name="func">The function; it must not keep the span.</param>
    /// <returns>What <paramref name="func"/> returned.</returns>
    /// <exception cref="ObjectDisposedException">The secret was disposed.</exception>
    public TResult UseChars<TState, TResult>(TState state, SecretCharsFunc<TState, TResult> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        ThrowIfDisposed();
        // A key's characters fit on the stack, which never moves and is cleared below; a longer value gets a pinned buffer.
        var count = Encoding.UTF8.GetCharCount(_utf8);
        var buffer = count <= StackChars ? stackalloc char[count] : GC.AllocateArray<char>(count, pinned: true);
        try
        {
            Encoding.UTF8.GetChars(_utf8, buffer);
            return func(buffer, state);
        }
        finally
        {
            buffer.Clear();
        }
    }

    /// <summary>Creates an independent copy that can be disposed separately.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="ObjectDisposedException">The secret was disposed.</exception>
    public SecretValue Clone()
    {
        ThrowIfDisposed();
        var bytes = GC.AllocateArray<byte>(_utf8.Length, pinned: true);
        _utf8.CopyTo(bytes, 0);
        return new SecretValue(bytes, DisplayHint);
    }

    /// <summary>Compares the secret with another in fixed time (no early exit on the first differing byte).</summary>
    /// <param name="other">The other secret.</param>
    /// <returns><see langword="true"/> when both hold the same value; <see langword="false"/> when either was disposed.</returns>
    public bool Equals(SecretValue? other)
    {
        if (other is null || IsDisposed || other.IsDisposed)
        {
            return false;
        }

        return ReferenceEquals(this, other) || FixedTimeEquals(_utf8, other._utf8);
    }

    /// <summary>Compares the secret with plaintext in fixed time.</summary>
    /// <param name="plaintext">The plaintext to compare with.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public bool Matches(ReadOnlySpan<char> plaintext)
    {
        ThrowIfDisposed();
        var length = Encoding.UTF8.GetByteCount(plaintext);
        var other = length <= StackChars ? stackalloc byte[length] : GC.AllocateArray<byte>(length, pinned: true);
        try
        {
            Encoding.UTF8.GetBytes(plaintext, other);
            return other.Length == _utf8.Length && CryptographicOperations.FixedTimeEquals(_utf8, other);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(other);
        }
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SecretValue other && Equals(other);

    /// <summary>Returns a hash code that depends only on the length, so it reveals nothing about the value.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => _utf8.Length;

    /// <summary>Returns a masked form, such as <c>[secret sk-…wxyz]</c>; never the value.</summary>
    /// <returns>The masked form.</returns>
    public override string ToString() => $"[secret {DisplayHint}]";

    /// <summary>Returns the masked form whatever the format; never the value.</summary>
    /// <param name="format">Ignored.</param>
    /// <param name="formatProvider">Ignored.</param>
    /// <returns>The masked form.</returns>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Zeroes the secret's bytes. Further use throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CryptographicOperations.ZeroMemory(_utf8);
        }
    }

    internal static string ComputeHint(ReadOnlySpan<char> value)
    {
        if (value.Length < MinLengthForHint)
        {
            return "…";
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return "…";
            }
        }

        return string.Concat(value[..3], "…", value[^4..]);
    }

    private static bool FixedTimeEquals(byte[] left, byte[] right)
    {
        // The lengths are not secret (GetHashCode exposes them too); the content is compared in fixed time.
        return left.Length == right.Length && CryptographicOperations.FixedTimeEquals(left, right);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    private sealed class SecretValueDebugView
    {
        public SecretValueDebugView(SecretValue secret)
        {
            DisplayHint = secret.DisplayHint;
            Length = secret.Length;
            IsDisposed = secret.IsDisposed;
        }

        public string DisplayHint { get; }

        public int Length { get; }

        public bool IsDisposed { get; }
    }
}
