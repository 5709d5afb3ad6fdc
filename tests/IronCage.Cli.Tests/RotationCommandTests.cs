using System.Text.Json;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Cli.Tests;

public sealed class RotationCommandTests : IAsyncLifetime, IDisposable
{
    private readonly CliSandbox _sandbox = new();
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ProviderEmulator.StartAsync();
        _sandbox.Environment["IronCage__OpenAI__BaseAddress"] = _emulator.OpenAI.BaseAddress.ToString();
        _sandbox.Environment["IronCage__OpenAI__AdminKey"] = _emulator.OpenAI.AdminKey;
    }

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task KeysRotate_OpenAIAtTheEmulator_PromotesANewKeyKeepsTheOldOneInGraceAndPrintsNeither()
    {
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        var added = await _sandbox.RunWithInputAsync(seeded.Secret, "keys", "add", "openai/prod", "--scope", "project_id=" + EmulatorConstants.OpenAIProjectId, "--provider-key-id", seeded.Id);

        var rotated = await _sandbox.RunAsync("keys", "rotate", "openai/prod", "--json");
        var shown = await _sandbox.RunAsync("keys", "show", "openai/prod", "--json");
        var verified = await _sandbox.RunAsync("keys", "verify", "openai/prod");
        var history = await _sandbox.RunAsync("rotations", "list", "--key", "openai/prod");
        var audit = await _sandbox.RunAsync("audit", "verify");
        var plan = await _sandbox.RunAsync("plan", "--json");

        added.ExitCode.Should().Be(ExitCodes.Ok, added.All);
        rotated.ExitCode.Should().Be(ExitCodes.Ok, rotated.All);
        using (var operation = JsonDocument.Parse(rotated.Output))
        {
            operation.RootElement.GetProperty("step").GetString().Should().Be("GracePeriod");
            operation.RootElement.GetProperty("requestedBy").GetString().Should().Be("cli:operator");
        }

        using (var key = JsonDocument.Parse(shown.Output))
        {
            key.RootElement.GetProperty("history").EnumerateArray().Select(v => v.GetProperty("stage").GetString()).Should().BeEquivalentTo(["Current", "Previous"]);
        }

        verified.ExitCode.Should().Be(ExitCodes.Ok, verified.All);
        verified.Output.Should().Contain("is valid");
        history.Output.Should().Contain("GracePeriod");
        audit.ExitCode.Should().Be(ExitCodes.Ok, audit.All);
        plan.ExitCode.Should().Be(ExitCodes.Ok, plan.All);
        _emulator.OpenAI.IsValid(seeded.Secret).Should().BeTrue("the old key stays valid through the grace period");

        var newKey = await CurrentSecretAsync("openai/prod");
        newKey.Should().NotBe(seeded.Secret);
        foreach (var run in new[] { added, rotated, shown, verified, history, audit, plan })
        {
            run.All.Should().NotContain(seeded.Secret).And.NotContain(newKey);
        }
    }

    [Fact]
    public async Task Doctor_WithAnotherMasterKey_FailsTheMasterKeyCheckAndExitsOne()
    {
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        await _sandbox.RunWithInputAsync(seeded.Secret, "keys", "add", "openai/prod", "--scope", "project_id=" + EmulatorConstants.OpenAIProjectId);
        _sandbox.Environment["IRONCAGE_MASTER_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var doctor = await _sandbox.RunAsync("doctor", "--json");

        doctor.ExitCode.Should().Be(ExitCodes.Failure, doctor.All);
        using var json = JsonDocument.Parse(doctor.Output);
        json.RootElement.GetProperty("healthy").GetBoolean().Should().BeFalse();
        json.RootElement.GetProperty("checks").EnumerateArray()
            .Should().Contain(c => c.GetProperty("name").GetString() == "master key" && c.GetProperty("status").GetString() == "fail");
        doctor.All.Should().NotContain(seeded.Secret);
    }

    [Fact]
    public async Task Doctor_AdapterAdminKeyAcceptedOrRefused_ReportsTheCredentialsCheck()
    {
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        await _sandbox.RunWithInputAsync(seeded.Secret, "keys", "add", "openai/prod", "--scope", "project_id=" + EmulatorConstants.OpenAIProjectId, "--provider-key-id", seeded.Id);

        var healthy = await _sandbox.RunAsync("doctor", "--json");
        var wrongAdminKey = FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin);
        _sandbox.Environment["IronCage__OpenAI__AdminKey"] = wrongAdminKey;
        var refused = await _sandbox.RunAsync("doctor", "--json");

        healthy.ExitCode.Should().Be(ExitCodes.Ok, healthy.All);
        Credentials(healthy).GetProperty("status").GetString().Should().Be("pass");
        Credentials(healthy).GetProperty("detail").GetString().Should().Contain("accepted by openai");
        refused.ExitCode.Should().Be(ExitCodes.Failure, refused.All);
        Credentials(refused).GetProperty("status").GetString().Should().Be("fail");
        Credentials(refused).GetProperty("detail").GetString().Should().Contain("openai").And.Contain("AdminKey");
        foreach (var run in new[] { healthy, refused })
        {
            run.All.Should().NotContain(seeded.Secret).And.NotContain(_emulator.OpenAI.AdminKey).And.NotContain(wrongAdminKey);
        }

        static JsonElement Credentials(CliResult run)
        {
            using var json = JsonDocument.Parse(run.Output);
            return json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "credentials").Clone();
        }
    }

    [Fact]
    public async Task AnyOtherCommand_WithAnotherMasterKey_StopsBeforeActingAndNamesTheFix()
    {
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        await _sandbox.RunWithInputAsync(seeded.Secret, "keys", "add", "openai/prod", "--scope", "project_id=" + EmulatorConstants.OpenAIProjectId);
        _sandbox.Environment["IRONCAGE_MASTER_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var rotated = await _sandbox.RunAsync("keys", "rotate", "openai/prod");

        rotated.ExitCode.Should().Be(ExitCodes.Failure, rotated.All);
        rotated.Error.Should().Contain("master key").And.Contain("IRONCAGE_MASTER_KEY");
        _emulator.OpenAI.IsValid(seeded.Secret).Should().BeTrue();
    }

    [Fact]
    public async Task Doctor_KeysOfAProviderWithoutItsAdapter_WarnsAndNamesTheSetting()
    {
        _sandbox.Environment.Remove("IronCage__OpenAI__BaseAddress");
        _sandbox.Environment.Remove("IronCage__OpenAI__AdminKey");
        await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.OpenAI), "keys", "add", "openai/prod", "--no-verify");

        var doctor = await _sandbox.RunAsync("doctor", "--json");

        doctor.ExitCode.Should().Be(ExitCodes.Ok, doctor.All);
        using var json = JsonDocument.Parse(doctor.Output);
        json.RootElement.GetProperty("checks").EnumerateArray()
            .Should().Contain(c => c.GetProperty("name").GetString() == "adapters" && c.GetProperty("status").GetString() == "warn" && c.GetProperty("detail").GetString()!.Contains("openai"));
    }

    [Fact]
    public async Task AuditVerify_AfterARowIsEdited_ExitsOneWithTheFirstBadSequence()
    {
        await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/a", "--no-verify");
        await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/b", "--no-verify");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_sandbox.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // What an attacker with the file does: drop the append-only trigger, then edit the first record's actor.
            command.CommandText = "DROP TRIGGER tr_ironcage_audit_no_update; UPDATE ironcage_audit SET event = replace(event, 'cli:operator', 'someone-else') WHERE sequence = 1;";
            (await command.ExecuteNonQueryAsync()).Should().Be(1);
        }

        var audit = await _sandbox.RunAsync("audit", "verify", "--json");

        audit.ExitCode.Should().Be(ExitCodes.Failure, audit.All);
        using var json = JsonDocument.Parse(audit.Output);
        json.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        json.RootElement.GetProperty("firstInvalidSequence").GetInt64().Should().Be(1);
    }

    private async Task<string> CurrentSecretAsync(string key)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(_sandbox.MasterKey).PersistToSqlite(_sandbox.ConnectionString);
        await using var provider = services.BuildServiceProvider();
        var managed = await provider.GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse(key));
        using var secret = await provider.GetRequiredService<ISecretProtector>().OpenAsync(managed.CurrentVersion!.Secret, new SecretBinding(managed.Reference, managed.CurrentVersion.VersionId));
        return secret.Reveal();
    }
}
