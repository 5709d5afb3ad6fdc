using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Secrets.Tests;

/// <summary>Import from a .env file, a _FILE variable and a key-per-file directory, then rotate: the rotation engine's
/// distribution step writes the new key to the file and .env targets before the old one is retired.</summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ImportThenRotate_EveryTargetHoldsTheNewKey()
    {
        var dotEnvPath = _dir.Write("app.env", "# app\nLOG_LEVEL=info\n");
        var secretPath = _dir.File("openai_secret");
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b
            .AddKeyImport()
            .AddFileKeyTarget(o => (o.Path, o.Key) = (secretPath, KeyReference.Parse("openai/openai-api-key")))
            .AddDotEnvKeyTarget(o => (o.Path, o.Key, o.VariableName) = (dotEnvPath, KeyReference.Parse("openai/openai-api-key"), "OPENAI_API_KEY")));
        var catalog = harness.Services.GetRequiredService<IProviderCatalog>();
        var importer = harness.Services.GetRequiredService<IKeyImporter>();

        var fromDotEnv = Known(harness.Provider);
        File.AppendAllText(dotEnvPath, $"OPENAI_API_KEY={fromDotEnv}\n");
        var fromFileVariable = Known(harness.Provider);
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string> { ["OPENAI_API_KEY_FILE"] = _dir.Write("mounted", fromFileVariable + "\n") });
        var secretsDir = Directory.CreateDirectory(_dir.File("secrets")).FullName;
        File.WriteAllText(Path.Combine(secretsDir, "openai-batch"), Known(harness.Provider));
        var options = new KeyImportOptions();

        var reports = new[]
        {
            await importer.ImportAsync(new DotEnvKeySource(dotEnvPath, catalog), options),
            await importer.ImportAsync(new EnvironmentFileKeySource(catalog, env), new KeyImportOptions { NameKey = (_, _) => "mounted" }),
            await importer.ImportAsync(new KeyPerFileKeySource(secretsDir, catalog), options),
        };

        reports.SelectMany(r => r.Entries).Should().OnlyContain(e => e.Status == KeyImportStatus.Imported);
        reports[2].Entries.Single().Reference.Should().Be(KeyReference.Parse("openai/openai-batch"));

        var operation = await harness.Rotator.RotateAsync(KeyReference.Parse("openai/openai-api-key"), RotationReason.Scheduled);

        operation.LastError.Should().BeNull();
        var key = await harness.Keys.GetAsync(KeyReference.Parse("openai/openai-api-key"));
        using var current = await harness.OpenAsync(key.Versions.Single(v => v.Stage == KeyStage.Current), key.Reference);
        current.Matches(fromDotEnv).Should().BeFalse("the rotation made a new key");
        File.ReadAllText(secretPath).Should().Be(current.Reveal());
        File.ReadAllText(dotEnvPath).Should().Be($"# app\nLOG_LEVEL=info\nOPENAI_API_KEY={current.Reveal()}\n");
    }

    private static string Known(FakeProviderAdapter provider)
    {
        var text = FakeKeys.GenerateText(provider.Provider);
        using var secret = SecretValue.FromString(text);
        provider.AddExistingKey(secret);
        return text;
    }
}
