using System.Runtime.CompilerServices;

namespace IronCage.Secrets.Tests;

/// <summary>A source over a fixed list of (name, value) pairs, for importer tests.</summary>
internal sealed class ListKeySource(params (string? Name, string Value)[] entries) : IKeySource
{
    public string Name => "list";

    public async IAsyncEnumerable<KeyCandidate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        for (var i = 0; i < entries.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new KeyCandidate { Origin = $"list:{i + 1} {entries[i].Name}", Name = entries[i].Name, Secret = SecretValue.FromString(entries[i].Value) };
        }
    }
}
