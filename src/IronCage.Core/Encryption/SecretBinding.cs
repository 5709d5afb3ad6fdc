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
        if (Key.Provider.IsEmpty || string.IsNullOrEmpty(VersionId))
        {
            throw new ArgumentException("A secret binding needs a managed key and a version id.");
        }

        var key = Encoding.UTF8.GetBytes(Key.ToString());
        var version = Encoding.UTF8.GetBytes(VersionId);
        var data = new byte[Label.Length + 4 + key.Length + 4 + version.Length];
        var span = data.AsSpan();
        Label.CopyTo(span);
        span = span[Label.Length..];
        BinaryPrimitives.WriteInt32BigEndian(span, key.Length);
        key.CopyTo(span[4..]);
        span = span[(4 + key.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, version.Length);
        version.CopyTo(span[4..]);
        return data;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Key}@{VersionId}";
}
