using System.Buffers.Binary;
using System.Text;

namespace IronCage.Encryption;

/// <summary>
/// What a sealed secret belongs to: its managed key and version. It is bound into the ciphertext as associated data,
/// so a ciphertext copied to another key or version fails to open.
/// </summary>
/// <param name="Key">The managed key.</param>
/// <param name="VersionId">The version id.</param>
public readonly record struct SecretBinding(KeyReference Key, string VersionId)
{
    private static readonly byte[] Label = "IronCage.Secret.v1"u8.ToArray();

    /// <summary>Encodes the binding as associated data: a label, then each part length-prefixed, so no two bindings encode alike.</summary>
    /// <returns>The associated data.</returns>
    public byte[] ToAssociatedData()
    {
        var data = new byte[AssociatedDataLength];
        WriteAssociatedData(data);
        return data;
    }

    /// <summary>Gets the length in bytes of <see cref="ToAssociatedData"/>'s result.</summary>
    internal int AssociatedDataLength
    {
        get
        {
            ThrowIfIncomplete();
            return Label.Length + 4 + Encoding.UTF8.GetByteCount(Key.Provider.Value) + 1 + Encoding.UTF8.GetByteCount(Key.Name) + 4 + Encoding.UTF8.GetByteCount(VersionId);
        }
    }

    /// <summary>Writes the associated data into <paramref name="destination"/>, which holds exactly <see cref="AssociatedDataLength"/> bytes; allocates nothing.</summary>
    internal void WriteAssociatedData(Span<byte> destination)
    {
        ThrowIfIncomplete();
        Label.CopyTo(destination);
        var span = destination[Label.Length..];
        var keyLength = Encoding.UTF8.GetBytes(Key.Provider.Value, span[4..]);
        span[4 + keyLength] = (byte)'/';
        keyLength += 1 + Encoding.UTF8.GetBytes(Key.Name, span[(5 + keyLength)..]);
        BinaryPrimitives.WriteInt32BigEndian(span, keyLength);
        span = span[(4 + keyLength)..];
        var versionLength = Encoding.UTF8.GetBytes(VersionId, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, versionLength);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Key}@{VersionId}";

    private void ThrowIfIncomplete()
    {
        if (Key.Provider.IsEmpty || string.IsNullOrEmpty(VersionId))
        {
            throw new ArgumentException("A secret binding needs a managed key and a version id.");
        }
    }
}
