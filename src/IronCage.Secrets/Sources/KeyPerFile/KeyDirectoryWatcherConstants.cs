namespace IronCage.Secrets;

/// <summary>Defaults of <see cref="KeyDirectoryWatcher"/>.</summary>
public static class KeyDirectoryWatcherConstants
{
    /// <summary>The default poll interval: a minute, the kubelet's usual sync period for mounted Secrets.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMinutes(1);
}
