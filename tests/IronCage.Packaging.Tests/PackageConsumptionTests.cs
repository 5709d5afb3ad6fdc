using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using IronCage.Encryption;
using IronCage.Providers;

namespace IronCage.Packaging.Tests;

/// <summary>
/// Checks what a NuGet consumer gets from every package under src/: per-package README, icon, license, XML docs for every
/// target framework, and a symbol package. Then a fresh console project outside the repository installs IronCage.Core,
/// IronCage.Usage and IronCage.Http from the packed folder and runs.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class PackageConsumptionTests(PackedFeed packed)
{
    [Fact]
    public async Task Pack_EverySrcPackage_InstallsIntoAFreshConsoleAppThatRuns()
    {
        packed.PackageIds.Should().NotBeEmpty();
        foreach (var id in packed.PackageIds)
        {
            CheckPackage(packed.Feed, id);
        }

        // A consumer outside the repository: no Directory.Build.props or central package versions reach it.
        var app = packed.NewFolder("app");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), await packed.NuGetConfigAsync());
        await File.WriteAllTextAsync(Path.Combine(app, "App.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            using IronCage;
            using IronCage.Encryption;
            using IronCage.Http;
            using IronCage.Providers;
            using Microsoft.Extensions.DependencyInjection;

            var services = new ServiceCollection();
            services.AddLogging();
            services.AddIronCage()
                .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
                .AddUsageTracking()
                .AddKeyResolver();
            services.AddHttpClient("openai").AddIronCageKey("openai/prod");
            await using var provider = services.BuildServiceProvider();
            var catalog = provider.GetRequiredService<IProviderCatalog>();
            provider.GetRequiredService<IKeyResolver>();
            provider.GetRequiredService<IronCage.Usage.IUsageQuery>();
            Console.WriteLine($"IronCage resolved: {catalog.All.Count} providers, openai tier {catalog.GetDescriptor(ProviderId.OpenAI).Tier}");
            """);

        await DotnetCli.RunDotnetAsync(app, "add", "package", "IronCage.Core", "--version", packed.Version);
        await DotnetCli.RunDotnetAsync(app, "add", "package", "IronCage.Usage", "--version", packed.Version);
        await DotnetCli.RunDotnetAsync(app, "add", "package", "IronCage.Http", "--version", packed.Version);
        var output = await DotnetCli.RunDotnetAsync(app, "run", "-c", "Release");

        output.Should().Contain("IronCage resolved: 16 providers, openai tier Automatic");
    }

    private void CheckPackage(string feed, string id)
    {
        var package = Path.Combine(feed, $"{id}.{packed.Version}.nupkg");
        File.Exists(package).Should().BeTrue($"{id} is packed");
        File.Exists(Path.ChangeExtension(package, ".snupkg")).Should().BeTrue($"{id} has a symbol package");

        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        entries.Should().Contain(["README.md", "icon.png"], $"{id} carries its README and the icon");
        var readme = new StreamReader(zip.GetEntry("README.md")!.Open(), Encoding.UTF8).ReadToEnd();
        readme.Should().StartWith($"# {id}", $"{id}'s README is its own, not another package's");
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            if (id == CliToolTests.PackageId)
            {
                // A .NET tool: the program and its settings under tools/, nothing to reference under lib/.
                entries.Should().Contain([$"tools/{framework}/any/{CliToolTests.Command}.dll", $"tools/{framework}/any/DotnetToolSettings.xml"], $"{id} ships the tool for {framework}");
                entries.Should().NotContain(e => e.StartsWith("lib/", StringComparison.Ordinal));
                continue;
            }

            entries.Should().Contain([$"lib/{framework}/{id}.dll", $"lib/{framework}/{id}.xml"], $"{id} ships documented assemblies for {framework}");
        }

        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Value("license").Should().Be("MIT", $"{id} declares its license");
        Value("readme").Should().Be("README.md");
        Value("icon").Should().Be("icon.png");
        Value("description").Should().NotBeNullOrWhiteSpace($"{id} has a description");
        Value("projectUrl").Should().NotBeNullOrWhiteSpace();
    }
}
