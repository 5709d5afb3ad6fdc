using System.Text.Json;
using IronCage.Testing;

namespace IronCage.Cli.Tests;

public sealed class AuditCheckpointCommandTests : IDisposable
{
    private readonly CliSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task AuditCheckpoint_ThenATailCutWithTheHeadSetBack_IsCaughtByVerifyAgainstTheFile()
    {
        for (var i = 0; i < 3; i++)
        {
            (await _sandbox.RunWithInputAsync(FakeKeys.GenerateText(ProviderId.Groq), "keys", "add", $"groq/k{i}", "--no-verify")).ExitCode.Should().Be(ExitCodes.Ok);
        }

        var file = Path.Combine(_sandbox.Directory, "outside", "audit.checkpoints");
        var exported = await _sandbox.RunAsync("audit", "checkpoint", "--file", file, "--json");
        var intact = await _sandbox.RunAsync("audit", "verify", "--file", file);

        exported.ExitCode.Should().Be(ExitCodes.Ok, exported.All);
        using (var json = JsonDocument.Parse(exported.Output))
        {
            json.RootElement.GetProperty("sequence").GetInt64().Should().Be(3);
        }

        File.ReadAllLines(file).Should().ContainSingle();
        intact.ExitCode.Should().Be(ExitCodes.Ok, intact.All);

        // The thorough attacker with the database file: cut the last record and set the head row back to match.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(_sandbox.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DROP TRIGGER tr_ironcage_audit_no_delete;
                DROP TRIGGER tr_ironcage_audit_head_forward_only;
                DELETE FROM ironcage_audit WHERE sequence = 3;
                UPDATE ironcage_audit_head SET sequence = 2, hash = (SELECT hash FROM ironcage_audit WHERE sequence = 2);
                """;
            await command.ExecuteNonQueryAsync();
        }

        var chainAlone = await _sandbox.RunAsync("audit", "verify");
        var againstFile = await _sandbox.RunAsync("audit", "verify", "--file", file, "--json");
        var refused = await _sandbox.RunAsync("audit", "checkpoint", "--file", file);

        chainAlone.ExitCode.Should().Be(ExitCodes.Ok, "nothing inside the database still knows the real end");
        againstFile.ExitCode.Should().Be(ExitCodes.Failure, againstFile.All);
        using (var json = JsonDocument.Parse(againstFile.Output))
        {
            json.RootElement.GetProperty("firstInvalidSequence").GetInt64().Should().Be(3);
        }

        refused.ExitCode.Should().Be(ExitCodes.Failure);
        File.ReadAllLines(file).Should().ContainSingle("a checkpoint never vouches for a chain that failed");
    }

    [Fact]
    public async Task AuditCheckpoint_WithoutAFile_IsAUsageErrorThatSaysWhereToPutIt()
    {
        var run = await _sandbox.RunAsync("audit", "checkpoint");

        run.ExitCode.Should().Be(ExitCodes.UsageError);
        run.Error.Should().Contain("--file").And.Contain("IronCage:AuditCheckpointFile");
    }
}
