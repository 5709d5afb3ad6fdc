using IronCage.Providers;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>
/// An OpenAI project key imported from where deployments keep it can be rotated: the OpenAI adapter finds and mints
/// project keys in the project of the <c>project_id</c> scope entry, which the importer takes from the official SDKs'
/// <c>OPENAI_PROJECT_ID</c> next to the key, or from <see cref="KeyImportOptions.Scope"/>.
/// </summary>
public sealed class ImportOpenAIProjectKeyTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ironcage-import-openai-").FullName;
    private ProviderEmulator _providers = null!;

    public async Task InitializeAsync() => _providers = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _providers.DisposeAsync();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Import_DotEnvWithOpenAIProjectId_RegistersTheProviderKeyAndARotationRetiresIt()
    {
        var seeded = _providers.OpenAI.AddProjectKey("chat-prod");
        var dotEnv = Path.Combine(_dir, ".env");
        await File.WriteAllTextAsync(dotEnv, $"OPENAI_API_KEY={seeded.Secret}\nOPENAI_PROJECT_ID={EmulatorConstants.OpenAIProjectId}\n");
        using var harness = Harness();

        var report = await harness.Services.GetRequiredService<IKeyImporter>().ImportAsync(new DotEnvKeySource(dotEnv, harness.Services.GetRequiredService<IProviderCatalog>()));

        var entry = report.Entries.Should().ContainSingle().Subject;
        entry.Status.Should().Be(KeyImportStatus.Imported, entry.Reason);
        var key = await harness.Keys.GetAsync(entry.Reference!.Value);
        key.Scope.Should().Contain(OpenAIConstants.ProjectIdScopeKey, EmulatorConstants.OpenAIProjectId);
        key.CurrentVersion!.ProviderKeyId.Should().Be(seeded.Id, "the importer's registration found the key among the project's keys by its redacted value");

        var operation = await harness.Rotator.RotateAsync(key.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        _providers.OpenAI.IsValid(seeded.Secret).Should().BeFalse("the imported key was deleted at OpenAI by its id");
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(seeded.Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_ProjectKeyWithoutProjectId_IsReportedInvalidWithTheFix_AndScopeOptionImportsIt()
    {
        var seeded = _providers.OpenAI.AddProjectKey("batch");
        var dotEnv = Path.Combine(_dir, ".env");
        await File.WriteAllTextAsync(dotEnv, $"OPENAI_API_KEY={seeded.Secret}\n");
        using var harness = Harness();
        var importer = harness.Services.GetRequiredService<IKeyImporter>();
        var source = new DotEnvKeySource(dotEnv, harness.Services.GetRequiredService<IProviderCatalog>());

        var refused = (await importer.ImportAsync(source)).Entries.Should().ContainSingle().Subject;

        refused.Status.Should().Be(KeyImportStatus.Invalid);
        refused.Reason.Should().Contain(OpenAIConstants.ProjectIdScopeKey).And.NotContain(seeded.Secret);
        (await harness.Keys.ListAsync().ToListAsync()).Should().BeEmpty("nothing half-imported is left behind");

        var imported = (await importer.ImportAsync(source, new KeyImportOptions
        {
            Scope = (_, provider) => provider == ProviderId.OpenAI ? new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId } : null,
        })).Entries.Should().ContainSingle().Subject;

        imported.Status.Should().Be(KeyImportStatus.Imported, imported.Reason);
        (await harness.Keys.GetAsync(imported.Reference!.Value)).CurrentVersion!.ProviderKeyId.Should().Be(seeded.Id);
    }

    private RotationHarness Harness() => new(FakeProviderAdapter.For(ProviderId.Groq), extend: b => b
        .AddOpenAI("openai", o =>
        {
            o.BaseAddress = _providers.OpenAI.BaseAddress;
            o.AdminKey = _providers.OpenAI.AdminKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        })
        .AddKeyImport());
}
