using System.Globalization;
using System.Reflection;
using System.Xml.Linq;

namespace IronCage.Packaging.Tests;

/// <summary>
/// Every package under src/ packed once into a temporary folder with a unique version, shared by the tests that consume
/// them as a NuGet user would (so no stale copy in the global packages folder can stand in for the packed one).
/// </summary>
/// <remarks>
/// Packing uses <c>--no-build --no-restore</c>: it only reads the build outputs of src/ and never rebuilds them under
/// the feet of tests running in parallel.
/// </remarks>
public sealed class PackedFeed : IAsyncLifetime
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("ironcage-packaging-");

    /// <summary>Gets the unique version every package was packed with.</summary>
    public string Version { get; } = "0.1.0-pkgtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    /// <summary>Gets the folder holding the packages.</summary>
    public string Feed => Path.Combine(_work.FullName, "feed");

    /// <summary>Gets the ids of the packed packages.</summary>
    public IReadOnlyList<string> PackageIds { get; private set; } = [];

    /// <summary>Gets the build configuration the tests (and so the packed outputs) were built in.</summary>
    public static string Configuration => typeof(PackedFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    /// <summary>Creates a new empty folder for one consumer.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_work.FullName, name)).FullName;

    public async Task InitializeAsync()
    {
        var root = RepositoryRoot();
        Directory.CreateDirectory(Feed);
        var projects = Directory.GetDirectories(Path.Combine(root, "src")).Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj")).Where(File.Exists).ToList();
        projects.Should().NotBeEmpty();
        foreach (var project in projects)
        {
            await DotnetCli.RunDotnetAsync(root, "pack", project, "-c", Configuration, "--no-build", "--no-restore", "-o", Feed, $"-p:PackageVersion={Version}");
        }

        PackageIds = projects.Select(Path.GetFileNameWithoutExtension).ToList()!;
    }

    public Task DisposeAsync()
    {
        _work.Delete(recursive: true);

        // The unique test versions were extracted into the global packages folder; leave no trace there.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds)
        {
            var folder = new DirectoryInfo(Path.Combine(packages, id.ToLowerInvariant(), Version));
            if (folder.Exists)
            {
                folder.Delete(recursive: true);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>A nuget.config for a consumer: the packed folder first, then every source this machine is configured with.</summary>
    public async Task<string> NuGetConfigAsync()
    {
        var listed = await DotnetCli.RunDotnetAsync(_work.FullName, "nuget", "list", "source", "--format", "short");
        var sources = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("E ", StringComparison.Ordinal))
            .Select(l => l[2..].Trim())
            .ToList();
        var xml = new XElement("configuration",
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "ironcage-packed"), new XAttribute("value", Feed)),
                sources.Select((s, i) => new XElement("add", new XAttribute("key", $"machine-{i}"), new XAttribute("value", s)))));
        return xml.ToString();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IronCage.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (IronCage.Sdk.sln) was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The tests that share one <see cref="PackedFeed"/> (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "packed feed";
}
