using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IronCage.Testing.Emulator.Internal;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// AWS KMS's JSON 1.1 API for symmetric encryption keys (<c>POST /</c>, <c>Content-Type: application/x-amz-json-1.1</c>,
/// <c>X-Amz-Target: TrentService.Encrypt</c>, <c>Decrypt</c>, <c>GenerateDataKey</c>, <c>DescribeKey</c>), every
/// request's SigV4 signature (service <c>kms</c>, region <see cref="Region"/>) checked against
/// <see cref="AccessKeyId"/>/<see cref="SecretAccessKey"/>. Request and response members are those of botocore's
/// <c>kms/2014-11-01/service-2.json</c>; errors are status 400 (500 for <c>KMSInternalException</c>) with
/// <c>{"__type": "…", "message": "…"}</c>: <c>NotFoundException</c>, <c>DisabledException</c>,
/// <c>InvalidCiphertextException</c>, <c>IncorrectKeyException</c>, <c>AccessDeniedException</c>,
/// <c>ValidationException</c>, <c>UnrecognizedClientException</c>, <c>InvalidSignatureException</c>.
/// </summary>
/// <remarks>
/// Ciphertext blobs really encrypt: AES-256-GCM under a key the emulator holds per KMS key, with the encryption context
/// as associated data, so a blob opened with another context (or altered) fails with <c>InvalidCiphertextException</c>, as
/// it does in KMS. Keys are addressed by key id, key ARN, alias name (<c>alias/…</c>) or alias ARN.
/// </remarks>
public sealed class KmsEmulator : SecretStoreEmulator
{
    private const string AccountId = "123456789012";
    private const string Algorithm = "SYMMETRIC_DEFAULT";
    private const byte BlobVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly List<KmsKey> _keys = [];
    private readonly Dictionary<string, KmsKey> _aliases = new(StringComparer.Ordinal);
    private readonly List<string> _operations = [];

    private KmsEmulator(TimeProvider? time)
        : base(time)
    {
    }

    /// <summary>Gets the access key id the emulator accepts.</summary>
    public string AccessKeyId { get; } = "AKIAEMULATOR" + NewId(8).ToUpperInvariant();

    /// <summary>Gets the secret access key requests must be signed with.</summary>
    public string SecretAccessKey { get; } = NewId(40);

    /// <summary>Gets the region the keys live in and requests must be signed for (<c>us-east-1</c>).</summary>
    public string Region { get; } = "us-east-1";

    /// <summary>Gets or sets a value indicating whether every KMS call is refused with <c>AccessDeniedException</c> (a principal the key policy does not allow).</summary>
    public bool DenyAccess { get; set; }

    /// <summary>Gets the operations received (<c>Encrypt</c>, <c>Decrypt</c>…), oldest first, refused ones included.</summary>
    public IReadOnlyList<string> Operations
    {
        get
        {
            lock (Sync)
            {
                return [.. _operations];
            }
        }
    }

    /// <summary>Starts a KMS emulator on 127.0.0.1 with a port the system picks.</summary>
    /// <param name="time">The time keys are stamped with and signatures are checked against; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<KmsEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new KmsEmulator(time);
        await emulator.StartCoreAsync(null, cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Creates an enabled symmetric encryption key (as <c>CreateKey</c> with the defaults would), optionally with an alias.</summary>
    /// <param name="alias">An alias name (<c>alias/…</c>) for the key, or <see langword="null"/>.</param>
    /// <returns>The key's ARN.</returns>
    public string CreateKey(string? alias = null)
    {
        if (alias is not null && !alias.StartsWith("alias/", StringComparison.Ordinal))
        {
            throw new ArgumentException("An alias name starts with 'alias/'.", nameof(alias));
        }

        lock (Sync)
        {
            var id = Guid.NewGuid();
            var key = new KmsKey(id, $"arn:aws:kms:{Region}:{AccountId}:key/{id}", RandomNumberGenerator.GetBytes(32), Time.GetUtcNow());
            _keys.Add(key);
            if (alias is not null)
            {
                _aliases[alias] = key;
            }

            return key.Arn;
        }
    }

    /// <summary>Disables a key (as <c>DisableKey</c>): every cryptographic operation with it fails with <c>DisabledException</c>.</summary>
    /// <param name="keyId">The key's id, ARN, alias name or alias ARN.</param>
    public void DisableKey(string keyId) => SetEnabled(keyId, false);

    /// <summary>Enables a disabled key again (as <c>EnableKey</c>).</summary>
    /// <param name="keyId">The key's id, ARN, alias name or alias ARN.</param>
    public void EnableKey(string keyId) => SetEnabled(keyId, true);

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        var action = target.StartsWith("TrentService.", StringComparison.Ordinal) ? target["TrentService.".Length..] : target;
        lock (Sync)
        {
            _operations.Add(action);
        }

        if (!HttpMethods.IsPost(context.Request.Method) || path != "/")
        {
            await WriteAsync(context, Error("UnknownOperationException", null)).ConfigureAwait(false);
            return;
        }

        if (Authenticate(context, body) is { } authError)
        {
            await WriteAsync(context, Error(authError.Type, authError.Message)).ConfigureAwait(false);
            return;
        }

        if (!context.Request.ContentType?.StartsWith("application/x-amz-json-1.1", StringComparison.Ordinal) ?? true)
        {
            await WriteAsync(context, Error("UnknownOperationException", null)).ConfigureAwait(false);
            return;
        }

        var request = ParseJson(body) as JsonObject;
        (int Status, JsonObject Body) answer;
        lock (Sync)
        {
            answer = request is null ? Error("SerializationException", "Start of structure or map found where not expected.")
                : DenyAccess && action is "Encrypt" or "Decrypt" or "GenerateDataKey" or "DescribeKey" ? Error("AccessDeniedException", $"User: arn:aws:iam::{AccountId}:user/ironcage is not authorized to perform: kms:{action} on this resource because no resource-based policy allows the kms:{action} action")
                : action switch
                {
                    "Encrypt" => Encrypt(request),
                    "Decrypt" => Decrypt(request),
                    "GenerateDataKey" => GenerateDataKey(request),
                    "DescribeKey" => DescribeKey(request),
                    _ => Error("UnknownOperationException", null),
                };
        }

        await WriteAsync(context, answer).ConfigureAwait(false);
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string message)
        => WriteAsync(context, statusCode == 400 || statusCode == 429 ? Error("ThrottlingException", "Rate exceeded") : (statusCode, Error("KMSInternalException", message).Body));

    private static Task WriteAsync(HttpContext context, (int Status, JsonObject Body) answer)
    {
        if (answer.Status != 200)
        {
            context.Response.Headers["x-amzn-ErrorType"] = answer.Body["__type"]?.GetValue<string>() + ":";
        }

        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        return WriteJsonAsync(context, answer.Status, answer.Body, "application/x-amz-json-1.1");
    }

    private static (int, JsonObject Body) Error(string type, string? message)
    {
        var body = new JsonObject { ["__type"] = type };
        if (message is not null)
        {
            body["message"] = message;
        }

        return (type == "KMSInternalException" ? 500 : 400, body);
    }

    private static (int, JsonObject) Invalid(string member, string constraint)
        => Error("ValidationException", $"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}");

    private (string Type, string Message)? Authenticate(HttpContext context, string body)
        => SigV4Verifier.Verify(context, body, AccessKeyId, SecretAccessKey, Region, "kms", Time.GetUtcNow()) switch
        {
            null => null,
            SigV4Failure.Missing => ("MissingAuthenticationTokenException", "Missing Authentication Token"),
            SigV4Failure.Incomplete => ("IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."),
            SigV4Failure.UnknownAccessKey => ("UnrecognizedClientException", "The security token included in the request is invalid."),
            SigV4Failure.SignatureMismatch => ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
            SigV4Failure.WrongScope => ("InvalidSignatureException", $"Credential should be scoped to a valid region and service ({Region}/kms)."),
            _ => ("InvalidSignatureException", "Signature expired: the request's X-Amz-Date is more than 5 minutes from the server's time."),
        };

    private void SetEnabled(string keyId, bool enabled)
    {
        lock (Sync)
        {
            (Find(keyId) ?? throw new ArgumentException($"No key '{keyId}'.", nameof(keyId))).Enabled = enabled;
        }
    }

    private KmsKey? Find(string? keyId)
    {
        if (string.IsNullOrEmpty(keyId))
        {
            return null;
        }

        var aliasAt = keyId.IndexOf(":alias/", StringComparison.Ordinal);
        var alias = keyId.StartsWith("alias/", StringComparison.Ordinal) ? keyId
            : aliasAt >= 0 && keyId.StartsWith($"arn:aws:kms:{Region}:{AccountId}:", StringComparison.Ordinal) ? keyId[(aliasAt + 1)..]
            : null;
        if (alias is not null)
        {
            return _aliases.GetValueOrDefault(alias);
        }

        return _keys.Find(k => string.Equals(k.Arn, keyId, StringComparison.Ordinal) || string.Equals(k.Id.ToString(), keyId, StringComparison.OrdinalIgnoreCase));
    }

    // Resolves the request's KeyId to a key that can encrypt now, or the error KMS answers.
    private (KmsKey? Key, (int, JsonObject) Error) Usable(JsonObject request)
    {
        var keyId = request["KeyId"]?.GetValue<string>();
        if (string.IsNullOrEmpty(keyId) || keyId.Length > 2048)
        {
            return (null, Invalid("keyId", "Member must have length between 1 and 2048"));
        }

        if (Find(keyId) is not { } key)
        {
            return (null, Error("NotFoundException", keyId.Contains("alias/", StringComparison.Ordinal) ? $"Alias {keyId} is not found." : $"Key '{keyId}' does not exist"));
        }

        return key.Enabled ? (key, default) : (null, Error("DisabledException", $"{key.Arn} is disabled."));
    }

    private (int, JsonObject) Encrypt(JsonObject request)
    {
        var (key, error) = Usable(request);
        if (key is null)
        {
            return error;
        }

        if (AlgorithmError(request) is { } algorithm)
        {
            return algorithm;
        }

        if (!TryContext(request, out var context, out var contextError))
        {
            return contextError;
        }

        var plaintext = Blob(request["Plaintext"]);
        if (plaintext is null || plaintext.Length is < 1 or > 4096)
        {
            return Invalid("plaintext", "Member must have length between 1 and 4096");
        }

        var blob = Seal(key, plaintext, context);
        CryptographicOperations.ZeroMemory(plaintext);
        return (200, new JsonObject { ["CiphertextBlob"] = Convert.ToBase64String(blob), ["KeyId"] = key.Arn, ["EncryptionAlgorithm"] = Algorithm });
    }

    private (int, JsonObject) GenerateDataKey(JsonObject request)
    {
        var (key, error) = Usable(request);
        if (key is null)
        {
            return error;
        }

        if (!TryContext(request, out var context, out var contextError))
        {
            return contextError;
        }

        var spec = request["KeySpec"]?.GetValue<string>();
        var count = request["NumberOfBytes"]?.GetValue<int>();
        if ((spec is null) == (count is null))
        {
            return Error("ValidationException", "Please specify either number of bytes or key spec.");
        }

        if (spec is not null and not ("AES_256" or "AES_128"))
        {
            return Invalid("keySpec", "Member must satisfy enum value set: [AES_256, AES_128]");
        }

        if (count is < 1 or > 1024)
        {
            return Invalid("numberOfBytes", "Member must have value less than or equal to 1024 and greater than or equal to 1");
        }

        var plaintext = RandomNumberGenerator.GetBytes(count ?? (spec == "AES_128" ? 16 : 32));
        var blob = Seal(key, plaintext, context);
        var answer = new JsonObject { ["CiphertextBlob"] = Convert.ToBase64String(blob), ["Plaintext"] = Convert.ToBase64String(plaintext), ["KeyId"] = key.Arn };
        CryptographicOperations.ZeroMemory(plaintext);
        return (200, answer);
    }

    private (int, JsonObject) Decrypt(JsonObject request)
    {
        if (AlgorithmError(request) is { } algorithm)
        {
            return algorithm;
        }

        if (!TryContext(request, out var context, out var contextError))
        {
            return contextError;
        }

        var blob = Blob(request["CiphertextBlob"]);
        if (blob is null || blob.Length is < 1 or > 6144)
        {
            return Invalid("ciphertextBlob", "Member must have length between 1 and 6144");
        }

        if (blob.Length < 1 + 16 + NonceSize + TagSize || blob[0] != BlobVersion)
        {
            return Error("InvalidCiphertextException", null);
        }

        var owner = new Guid(blob.AsSpan(1, 16));
        var key = _keys.Find(k => k.Id == owner);
        if (key is null)
        {
            return Error("InvalidCiphertextException", null);
        }

        if (request["KeyId"]?.GetValue<string>() is { } requested)
        {
            var named = Find(requested);
            if (named is null)
            {
                return Error("NotFoundException", $"Key '{requested}' does not exist");
            }

            if (named.Id != key.Id)
            {
                return Error("IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
            }
        }

        if (!key.Enabled)
        {
            return Error("DisabledException", $"{key.Arn} is disabled.");
        }

        var nonce = blob.AsSpan(17, NonceSize);
        var sealedData = blob.AsSpan(17 + NonceSize);
        var plaintext = new byte[sealedData.Length - TagSize];
        try
        {
            using var aes = new AesGcm(key.Material, TagSize);
            aes.Decrypt(nonce, sealedData[..^TagSize], sealedData[^TagSize..], plaintext, AssociatedData(key, context));
        }
        catch (CryptographicException)
        {
            return Error("InvalidCiphertextException", null);
        }

        var answer = new JsonObject { ["KeyId"] = key.Arn, ["Plaintext"] = Convert.ToBase64String(plaintext), ["EncryptionAlgorithm"] = Algorithm };
        CryptographicOperations.ZeroMemory(plaintext);
        return (200, answer);
    }

    private (int, JsonObject) DescribeKey(JsonObject request)
    {
        var keyId = request["KeyId"]?.GetValue<string>();
        if (Find(keyId) is not { } key)
        {
            return string.IsNullOrEmpty(keyId) ? Invalid("keyId", "Member must have length between 1 and 2048") : Error("NotFoundException", $"Key '{keyId}' does not exist");
        }

        return (200, new JsonObject
        {
            ["KeyMetadata"] = new JsonObject
            {
                ["AWSAccountId"] = AccountId,
                ["KeyId"] = key.Id.ToString(),
                ["Arn"] = key.Arn,
                ["CreationDate"] = key.Created.ToUnixTimeMilliseconds() / 1000.0,
                ["Enabled"] = key.Enabled,
                ["Description"] = string.Empty,
                ["KeyUsage"] = "ENCRYPT_DECRYPT",
                ["KeyState"] = key.Enabled ? "Enabled" : "Disabled",
                ["Origin"] = "AWS_KMS",
                ["KeyManager"] = "CUSTOMER",
                ["CustomerMasterKeySpec"] = Algorithm,
                ["KeySpec"] = Algorithm,
                ["EncryptionAlgorithms"] = new JsonArray(Algorithm),
                ["MultiRegion"] = false,
            },
        });
    }

    private static (int, JsonObject)? AlgorithmError(JsonObject request)
        => request["EncryptionAlgorithm"]?.GetValue<string>() is { } algorithm && algorithm != Algorithm
            ? Error("InvalidKeyUsageException", $"The encryption algorithm {algorithm} is not supported by a symmetric encryption KMS key.")
            : null;

    private static bool TryContext(JsonObject request, out SortedDictionary<string, string> context, out (int, JsonObject) error)
    {
        context = new SortedDictionary<string, string>(StringComparer.Ordinal);
        error = default;
        if (request["EncryptionContext"] is null)
        {
            return true;
        }

        if (request["EncryptionContext"] is not JsonObject map)
        {
            error = Error("SerializationException", "Unexpected value for EncryptionContext.");
            return false;
        }

        foreach (var (name, value) in map)
        {
            if (value?.GetValue<string>() is not { } text || name.Length == 0)
            {
                error = Invalid("encryptionContext", "Map keys and values must have length greater than or equal to 1");
                return false;
            }

            context[name] = text;
        }

        return true;
    }

    private static byte[]? Blob(JsonNode? node)
    {
        try
        {
            return node?.GetValue<string>() is { } text ? Convert.FromBase64String(text) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // The blob: version, the key's 16-byte id, nonce, AES-GCM ciphertext and tag; the context is authenticated, not stored.
    private static byte[] Seal(KmsKey key, byte[] plaintext, SortedDictionary<string, string> context)
    {
        var blob = new byte[1 + 16 + NonceSize + plaintext.Length + TagSize];
        blob[0] = BlobVersion;
        key.Id.TryWriteBytes(blob.AsSpan(1, 16));
        var nonce = blob.AsSpan(17, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(17 + NonceSize, plaintext.Length), blob.AsSpan(blob.Length - TagSize), AssociatedData(key, context));
        return blob;
    }

    private static byte[] AssociatedData(KmsKey key, SortedDictionary<string, string> context)
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.UTF8.GetBytes(key.Arn));
        Span<byte> length = stackalloc byte[4];
        foreach (var (name, value) in context)
        {
            foreach (var part in new[] { name, value })
            {
                var bytes = Encoding.UTF8.GetBytes(part);
                BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
                stream.Write(length);
                stream.Write(bytes);
            }
        }

        return stream.ToArray();
    }

    private sealed class KmsKey(Guid id, string arn, byte[] material, DateTimeOffset created)
    {
        public Guid Id { get; } = id;

        public string Arn { get; } = arn;

        public byte[] Material { get; } = material;

        public DateTimeOffset Created { get; } = created;

        public bool Enabled { get; set; } = true;
    }
}
