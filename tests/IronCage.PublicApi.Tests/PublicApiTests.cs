namespace IronCage.PublicApi.Tests;

/// <summary>
/// Each shipped package declares its public surface per target framework in PublicAPI/&lt;tfm&gt;/PublicAPI.Shipped.txt
/// and PublicAPI.Unshipped.txt, enforced at build time by Microsoft.CodeAnalysis.PublicApiAnalyzers (RS0016: a public
/// symbol is not declared; RS0017: a declared one is gone). These tests keep the files themselves honest.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string[] TargetFrameworks = ["net8.0", "net10.0"];

    public static TheoryData<string> Packages()
    {
        var data = new TheoryData<string>();
        foreach (var package in PackageNames())
        {
            data.Add(package);
        }

        return data;
    }

    private static IEnumerable<string> PackageNames()
        => Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Packages))]
    public void PublicApiFiles_EveryPackageAndTargetFramework_AreDeclared(string package)
    {
        foreach (var framework in TargetFrameworks)
        {
            foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
            {
                var path = Path.Combine(RepositoryRoot(), "src", package, "PublicAPI", framework, file);
                File.Exists(path).Should().BeTrue($"{package} declares its {framework} surface in {path}");
                File.ReadLines(path).FirstOrDefault().Should().Be("#nullable enable", $"{path} records nullability, so a changed annotation is an API change");
            }
        }

        if (IsTool(package))
        {
            // A .NET tool (IronCage.Cli) is a program, not a library: nothing in it is for others to reference.
            Declared(package, "net10.0").Should().BeEmpty($"{package} is a tool and has no public API");
            return;
        }

        Declared(package, "net10.0").Should().NotBeEmpty($"{package} ships a public surface");
    }

    private static bool IsTool(string package)
        => File.ReadAllText(Path.Combine(RepositoryRoot(), "src", package, package + ".csproj")).Contains("<PackAsTool>true</PackAsTool>", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Packages))]
    public void PublicApi_Net8AndNet10_DeclareTheSameSurface(string package)
    {
        // A consumer moving from net8.0 to net10.0 must not lose (or silently gain) a member.
        Declared(package, "net8.0").Should().BeEquivalentTo(Declared(package, "net10.0"), $"{package} exposes one surface on both frameworks");
    }

    [Fact]
    public void PublicApi_PreviewPackages_HaveShippedNothingYet()
    {
        // 0.1.0-preview: nothing is shipped, so every declaration is Unshipped until the first stable release moves it.
        foreach (var package in PackageNames())
        {
            foreach (var framework in TargetFrameworks)
            {
                var shipped = File.ReadAllLines(Path.Combine(RepositoryRoot(), "src", package, "PublicAPI", framework, "PublicAPI.Shipped.txt"));
                shipped.Where(l => l.Length > 0 && !l.StartsWith('#')).Should().BeEmpty($"{package} ({framework}) has not shipped a stable release");
            }
        }
    }

    private static HashSet<string> Declared(string package, string framework)
    {
        var folder = Path.Combine(RepositoryRoot(), "src", package, "PublicAPI", framework);
        return new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(f => File.ReadAllLines(Path.Combine(folder, f)))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IronCage.Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the IronCage repository: IronCage.Sdk.sln not found above " + AppContext.BaseDirectory);
    }
}
