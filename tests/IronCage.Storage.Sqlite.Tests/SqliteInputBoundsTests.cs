using System.Security.Cryptography;
using IronCage.Encryption;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>Bounds hold on the way out too: a row edited to an unbounded schedule is refused when it is read, with a typed error.</summary>
public sealed class SqliteInputBoundsTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Delete();

    [Theory]
    [InlineData("{\"schedule\":\"P10000Y\"}")]
    [InlineData("{\"keyLifetime\":\"36500:00:00:00\"}")]
    public async Task Get_RowEditedToASpanOverTenYears_IsRefusedWithARotationPolicyException(string policy)
    {
        using var store = new SqliteKeyStore(_database.Options());
        var key = KeyReference.Parse("openai/prod");
        await store.CreateAsync(new ManagedKey
        {
            Reference = key,
            Versions = [new KeyVersion
            {
                VersionId = "kv_1",
                Stage = KeyStage.Current,
                CreatedAt = Instant.FromUtc(2026, 1, 1, 0, 0),
                DisplayHint = "sk-…abcd",
                Fingerprint = "fp",
                Secret = new EncryptedSecret { KeyEncryptionKeyId = "local-00", WrappedDataKey = RandomNumberGenerator.GetBytes(60), Nonce = RandomNumberGenerator.GetBytes(12), Ciphertext = RandomNumberGenerator.GetBytes(40) },
            }],
        });
        using (var raw = _database.OpenRaw())
        using (var edit = raw.CreateCommand())
        {
            edit.CommandText = "UPDATE ironcage_keys SET policy = $policy WHERE reference = 'openai/prod';";
            edit.Parameters.AddWithValue("$policy", policy);
            edit.ExecuteNonQuery().Should().Be(1);
        }

        var read = async () => await store.GetAsync(key);

        (await read.Should().ThrowAsync<RotationPolicyException>()).Which.Message.Should().Contain("10 years");
    }
}
