using System.Collections.Concurrent;
using System.Text;

namespace IronCage.Testing;

/// <summary>
/// Collects every key value a test run created (<see cref="FakeKeys"/>, the fakes and the emulators record theirs) and
/// every log line the run captured (<see cref="SecretLeakLoggerProvider"/>), and finds the lines that contain a key, as
/// is or base64-encoded. A test suite ends with one check over <see cref="Shared"/> (see the testing docs) so a secret
/// logged anywhere in the run fails it. Thread-safe.
/// </summary>
public sealed class SecretLeakRegistry
{
    // Secrets are indexed by their first characters, so a line is searched in one pass whatever the number of keys.
    private const int IndexLength = 16;

    private readonly ConcurrentDictionary<string, byte> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _lines = new();

    /// <summary>Gets the registry of the whole process: what <see cref="FakeKeys"/> and <see cref="SecretLeakLoggerProvider"/> use.</summary>
    public static SecretLeakRegistry Shared { get; } = new();

    /// <summary>Gets how many distinct secrets were recorded.</summary>
    public int SecretCount => _secrets.Count;

    /// <summary>Gets how many log lines were captured.</summary>
    public int LineCount => _lines.Count;

    /// <summary>Records a key value the run created (and its base64 form), to be searched for in every captured line.</summary>
    /// <param name="secret">The key's text.</param>
    public void RecordSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < 8)
        {
            return;
        }

        _secrets.TryAdd(secret, 0);
        _secrets.TryAdd(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), 0);
    }

    /// <summary>Records a key value the run created.</summary>
    /// <param name="secret">The key.</param>
    public void RecordSecret(SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        RecordSecret(secret.Reveal());
    }

    /// <summary>Captures one line of output (a log line with its exception) to be searched.</summary>
    /// <param name="line">The line.</param>
    public void Capture(string line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>Finds the captured lines that contain a recorded secret.</summary>
    /// <returns>One description per leaking line: the line with the secret masked and the secret's first characters, never the whole secret.</returns>
    public IReadOnlyList<string> FindLeaks()
    {
        var byPrefix = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var shortOnes = new List<string>();
        foreach (var secret in _secrets.Keys)
        {
            if (secret.Length < IndexLength)
            {
                shortOnes.Add(secret);
                continue;
            }

            var prefix = secret[..IndexLength];
            if (!byPrefix.TryGetValue(prefix, out var list))
            {
                byPrefix[prefix] = list = [];
            }

            list.Add(secret);
        }

        var leaks = new List<string>();
        foreach (var line in _lines)
        {
            if (Leak(line, byPrefix, shortOnes) is { } secret)
            {
                leaks.Add($"{secret[..6]}… in: {line.Replace(secret, "[LEAKED SECRET]", StringComparison.Ordinal)}");
            }
        }

        return leaks;
    }

    private static string? Leak(string line, Dictionary<string, List<string>> byPrefix, List<string> shortOnes)
    {
        for (var i = 0; i + IndexLength <= line.Length; i++)
        {
            if (byPrefix.TryGetValue(line.Substring(i, IndexLength), out var candidates))
            {
                foreach (var candidate in candidates)
                {
                    if (line.AsSpan(i).StartsWith(candidate, StringComparison.Ordinal))
                    {
                        return candidate;
                    }
                }
            }
        }

        return shortOnes.Find(s => line.Contains(s, StringComparison.Ordinal));
    }
}
