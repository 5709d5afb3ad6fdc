using System.Text.Json;
using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Secrets.Tests.Import;

public sealed class KeyImporterTests : IDisposable
{
    private readonly FakeProviderAdapter _anthropic = FakeProviderAdapter.For(ProviderId.Anthropic);
    private readonly RotationHarness _harness;

    public KeyImporterTests()
    {
        _harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.AddProviderAdapter(_anthropic).AddKeyImport());
    }

    private FakeProviderAdapter OpenAI => _harness.Provider;

    private IKeyImporter Importer => _harness.Services.GetRequiredService<IKeyImporter>();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task ImportAsync_NewKeys_AreVerifiedSealedAndRegistered()
    {
        var (openAi, claude) = (KnownKey(OpenAI), KnownKey(_anthropic));
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string> { ["OPENAI_API_KEY"] = openAi, ["CLAUDE_API_KEY"] = claude });

        var report = await Importer.ImportAsync(new EnvironmentKeySource(Catalogs.BuiltIn, env));

        report.Entries.Should().OnlyContain(e => e.Status == KeyImportStatus.Imported);
        report.Entries.Select(e => e.Reference.ToString()).Should().BeEquivalentTo("openai/openai-api-key", "anthropic/claude-api-key");
        var stored = await _harness.Keys.GetAsync(KeyReference.Parse("anthropic/claude-api-key"));
        stored.Labels.Should().Contain("import-source", "env");
        using var opened = await _harness.OpenAsync(stored.Versions.Single(), stored.Reference);
        opened.Matches(claude).Should().BeTrue();
        OpenAI.CallsTo(FakeProviderOperation.Verify).Should().ContainSingle("the importer verifies once; the registration does not verify again");
    }

    [Fact]
    public async Task ImportAsync_Again_ReportsAlreadyManagedAndWritesNothing()
    {
        var source = new ListKeySource(("OPENAI_API_KEY", KnownKey(OpenAI)));
        await Importer.ImportAsync(source);

        var again = await Importer.ImportAsync(source);

        var entry = again.Entries.Should().ContainSingle().Which;
        entry.Status.Should().Be(KeyImportStatus.AlreadyManaged);
        entry.Reference.Should().Be(KeyReference.Parse("openai/openai-api-key"));
        (await CountKeysAsync()).Should().Be(1);
    }

    [Fact]
    public async Task ImportAsync_AValueAlreadyManagedUnderAnotherName_IsAlreadyManaged()
    {
        var value = KnownKey(OpenAI);
        await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", value)), new KeyImportOptions { NameKey = (_, _) => "prod" });

        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", value)));

        report.Entries.Single().Should().Match<KeyImportEntry>(e => e.Status == KeyImportStatus.AlreadyManaged && e.Reference == KeyReference.Parse("openai/prod"));
    }

    [Fact]
    public async Task ImportAsync_DuplicateWithinOneImport_IsImportedOnce()
    {
        var value = KnownKey(OpenAI);

        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", value), ("openai_api_key", value)));

        report.Entries.Select(e => e.Status).Should().Equal(KeyImportStatus.Imported, KeyImportStatus.AlreadyManaged);
        report.Entries[1].Reason.Should().Contain("list:1");
        (await CountKeysAsync()).Should().Be(1);
    }

    [Fact]
    public async Task ImportAsync_DryRun_WritesNothingAndReportsWhatARealRunDoes()
    {
        var source = Mixed();

        var dry = await Importer.ImportAsync(source, new KeyImportOptions { DryRun = true });
        (await CountKeysAsync()).Should().Be(0);
        _harness.Shared.Audit.Should().NotBeNull();
        var real = await Importer.ImportAsync(source);

        dry.DryRun.Should().BeTrue();
        dry.Entries.Select(e => (e.Status, e.Reference, e.Origin)).Should().Equal(real.Entries.Select(e => (e.Status, e.Reference, e.Origin)));
        real.Imported.Should().Be(2);
        (await CountKeysAsync()).Should().Be(2);
    }

    [Fact]
    public async Task ImportAsync_NameAndPrefixOfDifferentProviders_IsInvalidWithAClearReason()
    {
        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", KnownKey(_anthropic))));

        var entry = report.Entries.Single();
        entry.Status.Should().Be(KeyImportStatus.Invalid);
        entry.Provider.Should().Be(ProviderId.OpenAI);
        entry.Reason.Should().Contain("OPENAI_API_KEY").And.Contain("sk-ant-api03-").And.Contain("anthropic");
    }

    [Fact]
    public async Task ImportAsync_Placeholder_IsInvalid()
    {
        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", "sk-your-api-key-here")));

        report.Entries.Single().Should().Match<KeyImportEntry>(e => e.Status == KeyImportStatus.Invalid && e.Reason!.Contains("placeholder"));
        report.HasInvalid.Should().BeTrue();
    }

    [Fact]
    public async Task ImportAsync_NoKnownNameOrPrefix_IsUnknownProvider()
    {
        var report = await Importer.ImportAsync(new ListKeySource(("ACME_API_KEY", "acme-0123456789abcdefghijklmnop")));

        report.Entries.Single().Should().Match<KeyImportEntry>(e => e.Status == KeyImportStatus.UnknownProvider && e.Provider == null && e.Reason!.Contains("ACME_API_KEY"));
    }

    [Fact]
    public async Task ImportAsync_UnknownNameButKnownPrefix_IsDetectedByPrefix()
    {
        var report = await Importer.ImportAsync(new ListKeySource(("LLM_API_KEY", KnownKey(_anthropic)), (null, KnownKey(_anthropic))));

        report.Entries.Should().OnlyContain(e => e.Status == KeyImportStatus.Imported && e.Provider == ProviderId.Anthropic);
        report.Entries[0].Reference.Should().Be(KeyReference.Parse("anthropic/llm-api-key"));
        report.Entries[1].Reference!.Value.Name.Should().StartWith("imported-");
    }

    [Fact]
    public async Task ImportAsync_KeyTheProviderRejects_IsInvalid()
    {
        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", FakeKeys.GenerateText(ProviderId.OpenAI))));

        report.Entries.Single().Status.Should().Be(KeyImportStatus.Invalid);
        (await CountKeysAsync()).Should().Be(0);
    }

    [Fact]
    public async Task ImportAsync_VerificationReachesNoVerdict_IsUnverifiable()
    {
        OpenAI.On(FakeProviderOperation.Verify).Fail(ProviderErrorKind.Transient);

        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", KnownKey(OpenAI))));

        report.Entries.Single().Status.Should().Be(KeyImportStatus.Unverifiable);
        (await CountKeysAsync()).Should().Be(0);
    }

    [Fact]
    public async Task ImportAsync_VerifyOff_ImportsWithoutCallingTheProvider()
    {
        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", KnownKey(OpenAI))), new KeyImportOptions { Verify = false });

        report.Imported.Should().Be(1);
        OpenAI.CallsTo(FakeProviderOperation.Verify).Should().BeEmpty();
    }

    [Fact]
    public async Task ImportAsync_NameTakenByAnotherValue_IsInvalid()
    {
        await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", KnownKey(OpenAI))));

        var report = await Importer.ImportAsync(new ListKeySource(("OPENAI_API_KEY", KnownKey(OpenAI))));

        report.Entries.Single().Should().Match<KeyImportEntry>(e => e.Status == KeyImportStatus.Invalid && e.Reason!.Contains("already exists"));
    }

    [Fact]
    public async Task ImportAsync_NamingAndLabels_FollowTheOptions()
    {
        var options = new KeyImportOptions { NameKey = (candidate, provider) => $"{provider}-from-{candidate.Name!.ToLowerInvariant()}" };
        options.Labels["environment"] = "staging";

        var report = await Importer.ImportAsync(new ListKeySource(("CLAUDE_API_KEY", KnownKey(_anthropic))), options);

        var reference = report.Entries.Single().Reference!.Value;
        reference.Should().Be(KeyReference.Parse("anthropic/anthropic-from-claude_api_key"));
        (await _harness.Keys.GetAsync(reference)).Labels.Should().Contain("environment", "staging").And.Contain("import-source", "list");
    }

    [Fact]
    public async Task ImportAsync_Report_NeverShowsAValue_InToStringJsonOrLogs()
    {
        var values = new[] { KnownKey(OpenAI), KnownKey(_anthropic), FakeKeys.GenerateText(ProviderId.OpenAI), "sk-your-api-key-here-0000", "acme-0123456789abcdefghijklmnop" };
        var source = new ListKeySource(("OPENAI_API_KEY", values[0]), ("OPENAI_API_KEY", values[1]), ("openai_api_key", values[2]), ("OPENAI_API_KEY", values[3]), ("ACME_API_KEY", values[4]));

        var report = await Importer.ImportAsync(source);

        var json = JsonSerializer.Serialize(report);
        var text = report.ToString();
        var logs = string.Join('\n', _harness.Shared.Logs.Lines);
        report.Entries.Select(e => e.Status).Distinct().Should().HaveCountGreaterThan(2);
        foreach (var value in values)
        {
            text.Should().NotContain(value);
            json.Should().NotContain(value);
            logs.Should().NotContain(value);
        }

        logs.Should().Contain("Import from list finished");
    }

    [Fact]
    public void ToScope_CompanionVariables_BecomeTheAdaptersScopeKeys()
    {
        var scope = KeyVariableNames.ToScope(new Dictionary<string, string> { ["AZURE_OPENAI_ENDPOINT"] = "https://r.openai.azure.com", ["AZURE_OPENAI_API_VERSION"] = "2024-10-21", ["AWS_REGION"] = "eu-west-1" });

        scope.Should().BeEquivalentTo(new Dictionary<string, string> { ["endpoint"] = "https://r.openai.azure.com", ["api-version"] = "2024-10-21", ["region"] = "eu-west-1" });
    }

    private static string KnownKey(FakeProviderAdapter provider)
    {
        var text = FakeKeys.GenerateText(provider.Provider);
        using var secret = SecretValue.FromString(text);
        provider.AddExistingKey(secret);
        return text;
    }

    private ListKeySource Mixed() => new(
        ("OPENAI_API_KEY", KnownKey(OpenAI)),
        ("ANTHROPIC_API_KEY", KnownKey(_anthropic)),
        ("OPENAI_API_KEY", "changeme"),
        ("ACME_API_KEY", "acme-0123456789abcdefghijklmnop"));

    private async Task<int> CountKeysAsync()
    {
        var count = 0;
        await foreach (var unused in _harness.Keys.ListAsync())
        {
            count++;
        }

        return count;
    }
}
