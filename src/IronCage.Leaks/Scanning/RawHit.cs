namespace IronCage.Leaks.Scanning;

/// <summary>Where a rule matched inside a buffer, before the value is fingerprinted.</summary>
internal readonly record struct RawHit(int Index, int Length, LeakRule Rule)
{
    public static IComparer<RawHit> ByIndex { get; } = Comparer<RawHit>.Create(static (a, b) => a.Index.CompareTo(b.Index));
}
