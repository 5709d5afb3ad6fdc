using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace IronCage.Internal;

/// <summary>
/// Pinned buffers of one size for key material: pinned so the GC never leaves a copy behind when it compacts, reused
/// so each operation does not add garbage to the pinned heap (reclaimed only by gen2 collections). Zeroed on return.
/// </summary>
internal sealed class PinnedBufferPool(int size)
{
    private readonly ConcurrentBag<byte[]> _free = [];
    private readonly int _capacity = Math.Max(8, Environment.ProcessorCount * 4);

    public byte[] Rent() => _free.TryTake(out var buffer) ? buffer : GC.AllocateArray<byte>(size, pinned: true);

    public void Return(byte[] buffer)
    {
        CryptographicOperations.ZeroMemory(buffer);
        if (_free.Count < _capacity)
        {
            _free.Add(buffer);
        }
    }
}
