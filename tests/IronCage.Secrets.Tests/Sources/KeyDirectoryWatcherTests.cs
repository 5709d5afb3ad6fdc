using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace IronCage.Secrets.Tests.Sources;

public sealed class KeyDirectoryWatcherTests
{
    private static Dictionary<string, string> Values() => new() { ["OPENAI_API_KEY"] = FakeKeys.GenerateText(ProviderId.OpenAI) };

    [Fact]
    public void Check_KubernetesDataLinkSwap_RaisesAChange()
    {
        using var volume = new KubernetesSecretVolume(Values());
        using var watcher = new KeyDirectoryWatcher(volume.Path, TimeSpan.FromHours(1), new FakeTimeProvider());
        var token = watcher.GetChangeToken();

        watcher.Check().Should().BeFalse("nothing changed yet");
        volume.Update(Values());
        var changed = watcher.Check() || token.HasChanged;

        changed.Should().BeTrue();
        token.HasChanged.Should().BeTrue();
        watcher.GetChangeToken().HasChanged.Should().BeFalse("a new token waits for the next change");
    }

    [Fact]
    public void Poll_KubernetesDataLinkSwap_RaisesAChangeWhenThePollComes()
    {
        var time = new FakeTimeProvider();
        using var volume = new KubernetesSecretVolume(Values());
        using var watcher = new KeyDirectoryWatcher(volume.Path, TimeSpan.FromMinutes(1), time);
        var token = watcher.GetChangeToken();

        volume.Update(Values());
        time.Advance(TimeSpan.FromMinutes(1));

        token.HasChanged.Should().BeTrue();
    }

    [Fact]
    public async Task FileEvents_KubernetesDataLinkSwap_RaisesAChangeWithoutAPoll()
    {
        using var volume = new KubernetesSecretVolume(Values());
        using var watcher = new KeyDirectoryWatcher(volume.Path, TimeSpan.FromDays(1), new FakeTimeProvider());
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = ChangeToken.OnChange(watcher.GetChangeToken, () => changed.TrySetResult());

        volume.Update(Values());

        // The file system watcher fires on the rename of ..data; the wait is only a safety net for a hung test.
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Check_ReplacedFileInAPlainDirectory_RaisesAChange()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("openai_api_key", FakeKeys.GenerateText(ProviderId.OpenAI));
        using var watcher = new KeyDirectoryWatcher(dir.Path, TimeSpan.FromHours(1), new FakeTimeProvider());
        var token = watcher.GetChangeToken();

        File.WriteAllText(path, FakeKeys.GenerateText(ProviderId.OpenAI) + "-longer");
        watcher.Check();

        token.HasChanged.Should().BeTrue();
    }

    [Fact]
    public void Dispose_ThenGetChangeToken_Throws()
    {
        using var dir = new TempDirectory();
        var watcher = new KeyDirectoryWatcher(dir.Path, TimeSpan.FromHours(1), new FakeTimeProvider());
        watcher.Dispose();

        watcher.Check().Should().BeFalse();
        var act = () => watcher.GetChangeToken();
        act.Should().Throw<ObjectDisposedException>();
    }
}
