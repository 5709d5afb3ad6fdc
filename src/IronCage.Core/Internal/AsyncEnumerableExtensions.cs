using System.Runtime.CompilerServices;

namespace IronCage.Internal;

internal static class AsyncEnumerableExtensions
{
    /// <summary>Streams an in-memory sequence as an async sequence that honours cancellation between items.</summary>
    public static IAsyncEnumerable<T> ToAsyncEnumerable<T>(this IEnumerable<T> source, CancellationToken cancellationToken = default)
        => Iterate(source, cancellationToken);

    private static async IAsyncEnumerable<T> Iterate<T>(IEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var item in source)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
