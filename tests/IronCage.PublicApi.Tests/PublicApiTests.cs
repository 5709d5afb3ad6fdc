using System.Reflection;

namespace IronCage.PublicApi.Tests;

/// <summary>
/// Each shipped package's public surface is checked in as api/&lt;Package&gt;.txt. A change to it fails here until
/// it is reviewed: run the tests with IRONCAGE_ACCEPT_API=1 to rewrite the files, then review the diff in the commit.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Packages => new() { "IronCage.Core", "IronCage.Http", "IronCage.Notifications", "IronCage.Providers.Anthropic", "IronCage.Providers.AwsBedrock", "IronCage.Providers.AzureOpenAI", "IronCage.Providers.GoogleGemini", "IronCage.Providers.Http", "IronCage.Providers.OpenAI", "IronCage.Providers.OpenRouter", "IronCage.Rotation", "IronCage.Storage.PostgreSql", "IronCage.Storage.Sqlite", "IronCage.Testing", "IronCage.Testing.Emulator", "IronCage.Usage" };

    [Theory]
    [MemberData(nameof(Packages))]
    public void PublicApi_MatchesTheReviewedListing(string package)
    {
        var assembly = Assembly.Load(package);
        var actual = PublicApiListing.Describe(assembly);
        var path = Path.Combine(RepositoryRoot(), "api", package + ".txt");

        if (Environment.GetEnvironmentVariable("IRONCAGE_ACCEPT_API") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        File.Exists(path).Should().BeTrue($"{path} holds the reviewed public API of {package}; create it with IRONCAGE_ACCEPT_API=1");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected == actual)
        {
            return;
        }

        var expectedLines = expected.Split('\n').ToHashSet(StringComparer.Ordinal);
        var actualLines = actual.Split('\n').ToHashSet(StringComparer.Ordinal);
        var added = actualLines.Except(expectedLines).Select(l => "+ " + l);
        var removed = expectedLines.Except(actualLines).Select(l => "- " + l);
        Assert.Fail($"The public API of {package} changed. Review the change and run the tests with IRONCAGE_ACCEPT_API=1 to accept it:\n{string.Join("\n", removed.Concat(added).Take(60))}");
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
