namespace IronCage.Cli.Tests;

public sealed class ConfigurationErrorTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task AnyCommand_WithoutAMasterKey_IsAUsageErrorThatNamesTheVariable()
    {
        _sandbox.Environment.Remove("IRONCAGE_MASTER_KEY");

        var run = await _sandbox.RunAsync("keys", "list");

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().Contain("IRONCAGE_MASTER_KEY").And.Contain("--master-key-file").And.Contain("never takes the master key");
    }

    [Fact]
    public async Task AnyCommand_WithoutAStore_IsAUsageErrorWithAnExampleConnectionString()
    {
        _sandbox.Environment.Remove("IronCage__ConnectionString");

        var run = await _sandbox.RunAsync("keys", "list");

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().Contain("--connection").And.Contain("Data Source=");
    }

    [Fact]
    public async Task MasterKeyFile_OpensTheStoreTheEnvironmentKeyCreated()
    {
        await _sandbox.RunWithInputAsync(Testing.FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", "groq/prod", "--no-verify");
        var file = Path.Combine(_sandbox.Directory, "master.key");
        await File.WriteAllTextAsync(file, _sandbox.MasterKey);
        _sandbox.Environment.Remove("IRONCAGE_MASTER_KEY");

        var doctor = await _sandbox.RunAsync("doctor", "--master-key-file", file);

        doctor.ExitCode.Should().Be(ExitCodes.Ok, doctor.All);
    }

    [Fact]
    public async Task SettingsFile_GivesTheConnectionStringAsAHostsAppsettingsDoes()
    {
        _sandbox.Environment.Remove("IronCage__ConnectionString");
        await File.WriteAllTextAsync(Path.Combine(_sandbox.Directory, "appsettings.json"), $$"""{ "IronCage": { "ConnectionString": "{{_sandbox.ConnectionString.Replace("\\", "\\\\")}}" } }""");

        var run = await _sandbox.RunAsync("keys", "list", "--json");

        run.ExitCode.Should().Be(ExitCodes.Ok, run.All);
        File.Exists(_sandbox.DatabasePath).Should().BeTrue();
    }

    [Fact]
    public async Task Doctor_OnAStoreANewerIronCageWrote_FailsAndSaysSo()
    {
        (await _sandbox.RunAsync("keys", "list")).ExitCode.Should().Be(ExitCodes.Ok);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_sandbox.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO ironcage_schema_version (version, description, applied_at) VALUES (99, 'from the future', '2030-01-01T00:00:00Z');";
            await command.ExecuteNonQueryAsync();
        }

        var doctor = await _sandbox.RunAsync("doctor");

        doctor.ExitCode.Should().Be(ExitCodes.Failure, doctor.All);
        doctor.Error.Should().Contain("99");
    }

    [Theory]
    [InlineData("keys", "lst")]
    [InlineData("keys", "show", "not-a-reference")]
    [InlineData("keys", "rotate", "openai/prod", "--reason", "sometimes")]
    [InlineData("nonsense")]
    public async Task BadCommandLine_IsAUsageError(params string[] args)
    {
        var run = await _sandbox.RunAsync(args);

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().StartWith("error: ");
    }

    [Fact]
    public async Task RevokeFirst_WithoutCompromised_IsAUsageError()
    {
        var run = await _sandbox.RunAsync("keys", "rotate", "openai/prod", "--revoke-first");

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().Contain("--reason compromised");
    }
}
