using System.Globalization;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Testing.Emulator;

namespace IronCage.Packaging.Tests;

/// <summary>
/// A small host published with Native AOT from the packed packages (Core, SQLite, Http, Rotation, usage tracking and
/// the OpenAI adapter registered) publishes without a trim or AOT warning, runs as a native executable against the
/// loopback emulator, and does real work: register, request, rotate, read the store.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class NativeAotPublishTests(PackedFeed packed)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);

    // Every package the app uses; IronCage.Usage and IronCage.Notifications are referenced when they are packages of their own.
    private static readonly string[] Packages = ["IronCage.Core", "IronCage.Storage.Sqlite", "IronCage.Http", "IronCage.Rotation", "IronCage.Usage", "IronCage.Notifications", "IronCage.Providers.Http", "IronCage.Providers.OpenAI"];

    [Fact]
    public async Task PublishAot_HostWithSqliteHttpRotationUsageAndOpenAI_PublishesWithoutWarningsAndRuns()
    {
        var app = packed.NewFolder("aot-app");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), await packed.NuGetConfigAsync());
        var references = string.Join("\n", Packages.Where(packed.PackageIds.Contains).Select(id => $"""    <PackageReference Include="{id}" Version="{packed.Version}" />"""));
        await File.WriteAllTextAsync(Path.Combine(app, "AotApp.csproj"), $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <PublishAot>true</PublishAot>
                <!-- Every trim/AOT warning, of the app and of every library it uses, one by one, and each one fails. -->
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <TrimmerSingleWarn>false</TrimmerSingleWarn>
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
              <ItemGroup>
            {{references}}
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), AppSource);

        var publish = Path.Combine(app, "publish");
        var arguments = new List<string> { "publish", "-c", "Release", "-r", "linux-x64", "-o", publish };
        if (NativeLinker() is { } linker)
        {
            arguments.Add($"-p:CppCompilerAndLinker={linker}");
        }

        var published = await DotnetCli.RunAsync("dotnet", app, PublishTimeout, environment: null, [.. arguments]);
        published.Should().NotMatchRegex(@"warning (IL|CS)\d+", "the packages are AOT compatible: no trim or AOT warning anywhere");
        var executable = Path.Combine(publish, "AotApp");
        File.Exists(executable).Should().BeTrue("Native AOT produces one native executable");
        File.Exists(Path.Combine(publish, "IronCage.Core.dll")).Should().BeFalse("the libraries are compiled into the executable, not loaded by a runtime");

        await using var emulator = await ProviderEmulator.StartAsync();
        var seeded = emulator.OpenAI.AddProjectKey("prod");
        var environment = new Dictionary<string, string>
        {
            ["AOT_MASTER_KEY"] = LocalMasterKeyProvider.GenerateMasterKey(),
            ["AOT_DB"] = Path.Combine(app, "ironcage.db"),
            ["AOT_OPENAI_BASE"] = emulator.OpenAI.BaseAddress.ToString(),
            ["AOT_OPENAI_ADMIN"] = emulator.OpenAI.AdminKey,
            ["AOT_OPENAI_PROJECT"] = EmulatorConstants.OpenAIProjectId,
            ["AOT_SEED_KEY"] = seeded.Secret,
            ["AOT_SEED_ID"] = seeded.Id,
        };
        var output = await DotnetCli.RunAsync(executable, app, TimeSpan.FromMinutes(1), environment);

        output.Should().Contain("registered openai/prod tier Automatic");
        output.Should().Contain("chat 200");
        output.Should().MatchRegex("rotated (GracePeriod|Completed)");
        output.Should().Contain("stages Current,Previous");
        output.Should().Contain("done");
        output.Should().NotContain(seeded.Secret, "a key value is never printed");
        emulator.OpenAI.IsValid(seeded.Secret).Should().BeTrue("the old key stays valid during the grace period");
    }

    // Native AOT links with clang; Debian installs it as clang-<version> unless the clang package is there too.
    private static string? NativeLinker()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (path.Any(d => File.Exists(Path.Combine(d, "clang"))))
        {
            return null;
        }

        var versioned = path.SelectMany(d => Directory.Exists(d) ? Directory.GetFiles(d, "clang-*") : [])
            .Select(Path.GetFileName)
            .Where(n => n is not null && int.TryParse(n["clang-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .OrderByDescending(n => int.Parse(n!["clang-".Length..], CultureInfo.InvariantCulture))
            .FirstOrDefault();
        return versioned ?? throw new InvalidOperationException("Native AOT needs clang to link; install Debian's clang package (the CI script does).");
    }

    private const string AppSource = """"
        using IronCage;
        using IronCage.Encryption;
        using IronCage.Http;
        using IronCage.Providers;
        using IronCage.Providers.OpenAI;
        using IronCage.Rotation;
        using IronCage.Storage;
        using Microsoft.Extensions.DependencyInjection;

        static string Env(string name) => Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException(name + " is not set.");

        var baseAddress = new Uri(Env("AOT_OPENAI_BASE"));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage()
            .ProtectKeysWithMasterKey(Env("AOT_MASTER_KEY"))
            .PersistToSqlite($"Data Source={Env("AOT_DB")};Pooling=False")
            .AddOpenAI("openai", o =>
            {
                o.BaseAddress = baseAddress;
                o.AdminKey = Env("AOT_OPENAI_ADMIN");
            })
            .AddRotation()
            .AddKeyResolver()
            .AddUsageTracking();
        services.AddHttpClient("chat", c => c.BaseAddress = baseAddress).AddIronCageKey("openai/prod");
        await using var provider = services.BuildServiceProvider();

        var key = KeyReference.Parse("openai/prod");
        var rotator = provider.GetRequiredService<IKeyRotator>();
        using (var secret = SecretValue.FromString(Env("AOT_SEED_KEY")))
        {
            await rotator.RegisterAsync(
                new KeyRegistration
                {
                    Reference = key,
                    Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = Env("AOT_OPENAI_PROJECT") },
                    ProviderKeyId = Env("AOT_SEED_ID"),
                },
                secret);
        }

        var tier = provider.GetRequiredService<IProviderCatalog>().GetDescriptor(ProviderId.OpenAI).Tier;
        Console.WriteLine($"registered {key} tier {tier}");

        var chat = provider.GetRequiredService<IHttpClientFactory>().CreateClient("chat");
        using (var body = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"))
        using (var response = await chat.PostAsync("chat/completions", body))
        {
            Console.WriteLine($"chat {(int)response.StatusCode}");
        }

        var operation = await rotator.RotateAsync(key, RotationReason.Manual);
        Console.WriteLine($"rotated {operation.Step}");
        var stored = await provider.GetRequiredService<IKeyStore>().GetAsync(key);
        Console.WriteLine($"stages {string.Join(",", stored.Versions.Where(v => v.Stage is KeyStage.Current or KeyStage.Previous).OrderBy(v => v.Stage).Select(v => v.Stage))}");
        Console.WriteLine("done");
        """";
}
