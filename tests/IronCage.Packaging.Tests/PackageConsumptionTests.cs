using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace IronCage.Packaging.Tests;

/// <summary>
/// Packs every package under src/ into a temporary folder and checks what a NuGet consumer gets: per-package README,
/// icon, license, XML docs for every target framework, and a symbol package. Then a fresh console project outside the
/// repository installs IronCage.Core, IronCage.Usage and IronCage.Http from that folder and runs.
/// </summary>
/// <remarks>
/// Everything happens in its own temporary directory with a unique package version (so no stale copy in the global
/// packages folder can stand in for the packed one). Packing uses <c>--no-build --no-restore</c>: it only reads the
/// build outputs of src/ and never rebuilds them under the feet of tests running in parallel.
/// </remarks>
public sealed class PackageConsumptionTests : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("ironcage-packaging-");
    private readonly string _version = "0.1.0-pkgtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Pack_EverySrcPackage_InstallsIntoAFreshConsoleAppThatRuns()
    {
        var root = RepositoryRoot();
        var feed = Directory.CreateDirectory(Path.Combine(_work.FullName, "feed")).FullName;
        var configuration = typeof(PackageConsumptionTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        var projects = Directory.GetDirectories(Path.Combine(root, "src")).Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj")).Where(File.Exists).ToList();
        projects.Should().NotBeEmpty();

        foreach (var project in projects)
        {
            await RunDotnetAsync(root, "pack", project, "-c", configuration, "--no-build", "--no-restore", "-o", feed, $"-p:PackageVersion={_version}");
        }

        foreach (var project in projects)
        {
            CheckPackage(feed, Path.GetFileNameWithoutExtension(project));
        }

        // A consumer outside the repository: no Directory.Build.props or central package versions reach it.
        var app = Directory.CreateDirectory(Path.Combine(_work.FullName, "app")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), await NuGetConfigAsync(feed));
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

        await RunDotnetAsync(app, "add", "package", "IronCage.Core", "--version", _version);
        await RunDotnetAsync(app, "add", "package", "IronCage.Usage", "--version", _version);
        await RunDotnetAsync(app, "add", "package", "IronCage.Http", "--version", _version);
        var output = await RunDotnetAsync(app, "run", "-c", "Release");

        output.Should().Contain("IronCage resolved: 15 providers, openai tier Automatic");
    }

    public void Dispose()
    {
        _work.Delete(recursive: true);

        // The unique test versions were extracted into the global packages folder; leave no trace there.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "ironcage.core", "ironcage.http" })
        {
            var folder = new DirectoryInfo(Path.Combine(packages, id, _version));
            if (folder.Exists)
            {
                folder.Delete(recursive: true);
            }
        }
    }

    private void CheckPackage(string feed, string id)
    {
        var package = Path.Combine(feed, $"{id}.{_version}.nupkg");
        File.Exists(package).Should().BeTrue($"{id} is packed");
        File.Exists(Path.ChangeExtension(package, ".snupkg")).Should().BeTrue($"{id} has a symbol package");

        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        entries.Should().Contain(["README.md", "icon.png"], $"{id} carries its README and the icon");
        var readme = new StreamReader(zip.GetEntry("README.md")!.Open(), Encoding.UTF8).ReadToEnd();
        readme.Should().StartWith($"# {id}", $"{id}'s README is its own, not another package's");
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
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

    // The packed folder first, then every source this machine is configured with (the only way to its dependencies).
    private async Task<string> NuGetConfigAsync(string feed)
    {
        var listed = await RunDotnetAsync(_work.FullName, "nuget", "list", "source", "--format", "short");
        var sources = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("E ", StringComparison.Ordinal))
            .Select(l => l[2..].Trim())
            .ToList();
        var xml = new XElement("configuration",
            new XElement("packageSources",
                new XElement("clear"),
                new XElement("add", new XAttribute("key", "ironcage-packed"), new XAttribute("value", feed)),
                sources.Select((s, i) => new XElement("add", new XAttribute("key", $"machine-{i}"), new XAttribute("value", s)))));
        return xml.ToString();
    }

    private static string RepositoryRoot()
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

    private static async Task<string> RunDotnetAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Behave the same whether or not the test runs in CI, and leave no build servers behind.
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && k != "MSBUILDDISABLENODEREUSE").ToList())
        {
            start.Environment.Remove(inherited);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {CommandTimeout}.");
        }

        var output = await stdout + await stderr;
        process.ExitCode.Should().Be(0, $"dotnet {string.Join(' ', arguments)} in {workingDirectory} should succeed:\n{output}");
        return output;
    }
}
