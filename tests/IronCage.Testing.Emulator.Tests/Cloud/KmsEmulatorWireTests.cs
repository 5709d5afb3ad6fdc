using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IronCage.Testing.Emulator.Tests.Cloud;

/// <summary><see cref="KmsEmulator"/> on the wire: AWS JSON 1.1 bodies and errors as KMS documents them, SigV4 checked.</summary>
public sealed class KmsEmulatorWireTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task EncryptThenDecrypt_SameContext_ReturnsThePlaintextAndTheKeyArn()
    {
        await using var kms = await KmsEmulator.StartAsync();
        var arn = kms.CreateKey("alias/app");
        var context = new JsonObject { ["tenant"] = "a" };

        var (_, encrypted) = await SendAsync(kms, "Encrypt", new JsonObject { ["KeyId"] = "alias/app", ["Plaintext"] = Convert.ToBase64String("hello"u8), ["EncryptionContext"] = context.DeepClone() });
        var (status, decrypted) = await SendAsync(kms, "Decrypt", new JsonObject { ["CiphertextBlob"] = encrypted.GetProperty("CiphertextBlob").GetString(), ["EncryptionContext"] = context.DeepClone() });

        status.Should().Be(HttpStatusCode.OK);
        encrypted.GetProperty("KeyId").GetString().Should().Be(arn);
        encrypted.GetProperty("EncryptionAlgorithm").GetString().Should().Be("SYMMETRIC_DEFAULT");
        Convert.FromBase64String(encrypted.GetProperty("CiphertextBlob").GetString()!).Should().NotContainInOrder("hello"u8.ToArray());
        Convert.FromBase64String(decrypted.GetProperty("Plaintext").GetString()!).Should().Equal("hello"u8.ToArray());
        decrypted.GetProperty("KeyId").GetString().Should().Be(arn);
    }

    [Fact]
    public async Task Decrypt_OtherContext_Answers400InvalidCiphertext()
    {
        await using var kms = await KmsEmulator.StartAsync();
        kms.CreateKey("alias/app");
        var (_, generated) = await SendAsync(kms, "GenerateDataKey", new JsonObject { ["KeyId"] = "alias/app", ["KeySpec"] = "AES_256", ["EncryptionContext"] = new JsonObject { ["tenant"] = "a" } });

        var (status, error) = await SendAsync(kms, "Decrypt", new JsonObject { ["CiphertextBlob"] = generated.GetProperty("CiphertextBlob").GetString(), ["EncryptionContext"] = new JsonObject { ["tenant"] = "b" } });

        Convert.FromBase64String(generated.GetProperty("Plaintext").GetString()!).Should().HaveCount(32);
        status.Should().Be(HttpStatusCode.BadRequest);
        error.GetProperty("__type").GetString().Should().Be("InvalidCiphertextException");
    }

    [Fact]
    public async Task GenerateDataKey_BothOrNeitherSize_Answers400Validation()
    {
        await using var kms = await KmsEmulator.StartAsync();
        kms.CreateKey("alias/app");

        var (_, neither) = await SendAsync(kms, "GenerateDataKey", new JsonObject { ["KeyId"] = "alias/app" });
        var (_, both) = await SendAsync(kms, "GenerateDataKey", new JsonObject { ["KeyId"] = "alias/app", ["KeySpec"] = "AES_256", ["NumberOfBytes"] = 32 });

        neither.GetProperty("__type").GetString().Should().Be("ValidationException");
        both.GetProperty("__type").GetString().Should().Be("ValidationException");
    }

    [Fact]
    public async Task DisabledKey_EncryptAndDescribe_AnswerDisabledAndItsState()
    {
        await using var kms = await KmsEmulator.StartAsync();
        var arn = kms.CreateKey();
        kms.DisableKey(arn);

        var (_, error) = await SendAsync(kms, "Encrypt", new JsonObject { ["KeyId"] = arn, ["Plaintext"] = "AQ==" });
        var (_, described) = await SendAsync(kms, "DescribeKey", new JsonObject { ["KeyId"] = arn });

        error.GetProperty("__type").GetString().Should().Be("DisabledException");
        error.GetProperty("message").GetString().Should().Contain(arn);
        var metadata = described.GetProperty("KeyMetadata");
        metadata.GetProperty("KeyState").GetString().Should().Be("Disabled");
        metadata.GetProperty("Enabled").GetBoolean().Should().BeFalse();
        metadata.GetProperty("KeySpec").GetString().Should().Be("SYMMETRIC_DEFAULT");
        metadata.GetProperty("KeyUsage").GetString().Should().Be("ENCRYPT_DECRYPT");
    }

    [Fact]
    public async Task WrongSecretOrNoSignature_AnswerTheSigV4Errors()
    {
        await using var kms = await KmsEmulator.StartAsync();
        kms.CreateKey("alias/app");

        var (_, wrong) = await SendAsync(kms, "DescribeKey", new JsonObject { ["KeyId"] = "alias/app" }, secretAccessKey: "not-the-secret");
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, kms.BaseAddress) { Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1") };
        unsigned.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.DescribeKey");
        using var response = await Http.SendAsync(unsigned);

        wrong.GetProperty("__type").GetString().Should().Be("InvalidSignatureException");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Headers.GetValues("x-amzn-ErrorType").Single().Should().StartWith("MissingAuthenticationTokenException");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(KmsEmulator kms, string operation, JsonObject body, string? secretAccessKey = null)
    {
        var text = body.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, kms.BaseAddress) { Content = new StringContent(text, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        var amzDate = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = kms.BaseAddress.Authority;
        var target = "TrentService." + operation;
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        var canonical = $"POST\n/\n\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n\nhost;x-amz-date;x-amz-target\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}";
        var scope = $"{amzDate[..8]}/{kms.Region}/kms/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + (secretAccessKey ?? kms.SecretAccessKey));
        foreach (var part in scope.Split('/'))
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={kms.AccessKeyId}/{scope}, SignedHeaders=host;x-amz-date;x-amz-target, Signature={Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)))}");
        using var response = await Http.SendAsync(request);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-amz-json-1.1");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
