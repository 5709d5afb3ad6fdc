namespace IronCage.Leaks.Scanning;

/// <summary>The running totals of a scanner made with <see cref="LeakScanner.WithProgress"/>; safe for concurrent scans.</summary>
internal sealed class ScanMeter(IProgress<LeakScanProgress> sink)
{
    private const long ReportEveryCharacters = 64 * 1024;
    private long _characters;
    private long _reportedAt;
    private int _files;
    private int _commits;

    public void AddCharacters(long count)
    {
        var total = Interlocked.Add(ref _characters, count);
        var last = Volatile.Read(ref _reportedAt);
        if (total - last >= ReportEveryCharacters && Interlocked.CompareExchange(ref _reportedAt, total, last) == last)
        {
            Report();
        }
    }

    public void FileDone()
    {
        Interlocked.Increment(ref _files);
        Flush();
    }

    public void CommitStarted()
    {
        Interlocked.Increment(ref _commits);
        Flush();
    }

    public void Flush()
    {
        Volatile.Write(ref _reportedAt, Volatile.Read(ref _characters));
        Report();
    }

    private void Report() => sink.Report(new LeakScanProgress(Volatile.Read(ref _characters), Volatile.Read(ref _files), Volatile.Read(ref _commits)));
}
