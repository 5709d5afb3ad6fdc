using System.Runtime.InteropServices;

namespace IronCage.Secrets.Tests;

/// <summary>
/// The layout the kubelet gives a Secret mounted as a volume: a timestamped directory with the values, a <c>..data</c>
/// link to it, and one link per key through <c>..data</c>. <see cref="Update"/> swaps it as the kubelet does: a new
/// timestamped directory, a new link renamed atomically over <c>..data</c>, the old directory removed.
/// </summary>
internal sealed class KubernetesSecretVolume : IDisposable
{
    private readonly TempDirectory _root = new();
    private int _generation;
    private string? _current;

    public KubernetesSecretVolume(IReadOnlyDictionary<string, string> values)
    {
        Update(values);
    }

    public string Path => _root.Path;

    public void Update(IReadOnlyDictionary<string, string> values)
    {
        var timestamped = $"..2026_12_02_16_00_{_generation++:00}.{Random.Shared.Next(1000, 9999)}";
        var directory = System.IO.Path.Combine(Path, timestamped);
        Directory.CreateDirectory(directory);
        foreach (var (name, value) in values)
        {
            File.WriteAllText(System.IO.Path.Combine(directory, name), value);
        }

        var temp = System.IO.Path.Combine(Path, "..data_tmp");
        File.CreateSymbolicLink(temp, timestamped);
        // rename(2), as the kubelet does: it replaces the old ..data link atomically (File.Move refuses a link to a directory).
        if (Rename(temp, System.IO.Path.Combine(Path, "..data")) != 0)
        {
            throw new IOException("rename(2) failed: " + Marshal.GetLastPInvokeError());
        }
        foreach (var name in values.Keys)
        {
            var link = System.IO.Path.Combine(Path, name);
            if (!File.Exists(link) && new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, System.IO.Path.Combine("..data", name));
            }
        }

        if (_current is not null)
        {
            Directory.Delete(System.IO.Path.Combine(Path, _current), recursive: true);
        }

        _current = timestamped;
    }

    public void Dispose() => _root.Dispose();

#pragma warning disable CA2101 // the arguments are marshalled as UTF-8 explicitly, as Linux paths are.
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
#pragma warning restore CA2101
}
