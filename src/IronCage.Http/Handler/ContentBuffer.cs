using IronCage.Http;

namespace IronCage.Http;

/// <summary>Buffers request and response content; the cancellable overload exists from .NET 9 on.</summary>
internal static class ContentBuffer
{
    public static Task LoadAsync(HttpContent content, CancellationToken cancellationToken)
    {
#if NET9_0_OR_GREATER
        return content.LoadIntoBufferAsync(cancellationToken);
#else
        cancellationToken.ThrowIfCancellationRequested();
        return content.LoadIntoBufferAsync();
#endif
    }
}
