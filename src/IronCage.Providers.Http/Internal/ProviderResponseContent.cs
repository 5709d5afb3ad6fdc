namespace IronCage.Providers.Http.Internal;

/// <summary>An answer's body read into memory by <see cref="ProviderResponseBuffer"/>; disposing it zeroes the bytes.</summary>
internal sealed class ProviderResponseContent : ByteArrayContent
{
    public ProviderResponseContent(byte[] body)
        : base(body)
    {
        Body = body;
    }

    /// <summary>Gets the bytes (not a copy).</summary>
    public byte[] Body { get; }

    protected override void Dispose(bool disposing)
    {
        Array.Clear(Body);
        base.Dispose(disposing);
    }
}
