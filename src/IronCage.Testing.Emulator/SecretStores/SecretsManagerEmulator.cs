using System.Globalization;
using System.Text.Json.Nodes;
using IronCage.Testing.Emulator.Internal;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// AWS Secrets Manager's JSON 1.1 API (<c>POST /</c> with <c>X-Amz-Target: secretsmanager.GetSecretValue</c>,
/// <c>PutSecretValue</c>, <c>ListSecrets</c>, <c>DescribeSecret</c>, <c>UpdateSecretVersionStage</c>), every request's
/// SigV4 signature checked against <see cref="AccessKeyId"/>/<see cref="SecretAccessKey"/>. Errors are the service's:
/// status 400 with <c>{"__type": "…", "Message": "…"}</c> (the exception shapes' member is <c>Message</c> in botocore's
/// <c>secretsmanager/2017-10-17/service-2.json</c>) (<c>MissingAuthenticationTokenException</c>,
/// <c>UnrecognizedClientException</c>, <c>InvalidSignatureException</c>, <c>AccessDeniedException</c>,
/// <c>ResourceNotFoundException</c>, <c>ResourceExistsException</c>, <c>InvalidParameterException</c>,
/// <c>InvalidNextTokenException</c>, <c>ValidationException</c> for a member outside its shape's constraints).
/// </summary>
/// <remarks>
/// Versions and staging labels follow the service: <c>PutSecretValue</c> moves <c>AWSCURRENT</c> to the new version and
/// <c>AWSPREVIOUS</c> to the one that held it; a repeated <c>ClientRequestToken</c> with the same value writes nothing,
/// with a different value fails with <c>ResourceExistsException</c>.
/// </remarks>
public sealed class SecretsManagerEmulator : SecretStoreEmulator
{
    private const string Current = "AWSCURRENT";
    private const string Previous = "AWSPREVIOUS";
    private const string AccountId = "123456789012";
    private readonly Dictionary<string, Secret> _secrets = new(StringComparer.Ordinal);

    private SecretsManagerEmulator(TimeProvider? time)
        : base(time)
    {
    }

    /// <summary>Gets the access key id the emulator accepts.</summary>
    public string AccessKeyId { get; } = "AKIAEMULATOR" + NewId(8).ToUpperInvariant();

    /// <summary>Gets the secret access key requests must be signed with.</summary>
    public string SecretAccessKey { get; } = NewId(40);

    /// <summary>Gets the region requests must be signed for.</summary>
    public string Region { get; } = "us-east-1";

    /// <summary>Gets or sets a value indicating whether writes are denied with <c>AccessDeniedException</c> (a principal with <c>secretsmanager:GetSecretValue</c> only).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Starts a Secrets Manager emulator.</summary>
    /// <param name="time">The time versions are stamped with and signatures are checked against; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<SecretsManagerEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new SecretsManagerEmulator(time);
        await emulator.StartCoreAsync(null, cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Seeds a secret (as <c>CreateSecret</c> would) with one version labelled <c>AWSCURRENT</c>.</summary>
    /// <param name="name">The secret's name.</param>
    /// <param name="secretString">Its value (for example a JSON map).</param>
    /// <param name="tags">Its tags, if any.</param>
    /// <returns>The secret's ARN.</returns>
    public string CreateSecret(string name, string secretString, IReadOnlyDictionary<string, string>? tags = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(secretString);
        lock (Sync)
        {
            var secret = new Secret(name, $"arn:aws:secretsmanager:{Region}:{AccountId}:secret:{name}-{NewId(6)}", new Dictionary<string, string>(tags ?? new Dictionary<string, string>(), StringComparer.Ordinal));
            secret.Versions.Add(new SecretVersion(Guid.NewGuid().ToString(), secretString, [Current], Time.GetUtcNow()));
            _secrets[name] = secret;
            return secret.Arn;
        }
    }

    /// <summary>Gets the value of the version that holds <paramref name="stage"/>, or <see langword="null"/>.</summary>
    /// <param name="name">The secret's name.</param>
    /// <param name="stage">The staging label.</param>
    /// <returns>The value.</returns>
    public string? GetValue(string name, string stage = Current)
    {
        lock (Sync)
        {
            return _secrets.TryGetValue(name, out var secret) ? secret.Versions.Find(v => v.Stages.Contains(stage))?.Value : null;
        }
    }

    /// <summary>Gets how many versions a secret has (0 when there is no such secret).</summary>
    /// <param name="name">The secret's name.</param>
    /// <returns>The count.</returns>
    public int VersionCount(string name)
    {
        lock (Sync)
        {
            return _secrets.TryGetValue(name, out var secret) ? secret.Versions.Count : 0;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (!HttpMethods.IsPost(context.Request.Method) || path != "/")
        {
            await WriteErrorAsync(context, 404, "UnknownOperationException", null).ConfigureAwait(false);
            return;
        }

        if (Authenticate(context, body) is { } authError)
        {
            await WriteErrorAsync(context, 400, authError.Type, authError.Message).ConfigureAwait(false);
            return;
        }

        if (!target.StartsWith("secretsmanager.", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 400, "UnknownOperationException", null).ConfigureAwait(false);
            return;
        }

        var action = target["secretsmanager.".Length..];
        if (ReadOnly && action is "PutSecretValue" or "UpdateSecretVersionStage")
        {
            await WriteErrorAsync(context, 400, "AccessDeniedException", $"User: arn:aws:iam::{AccountId}:user/ironcage is not authorized to perform: secretsmanager:{action} because no identity-based policy allows the secretsmanager:{action} action").ConfigureAwait(false);
            return;
        }

        var request = ParseJson(body) as JsonObject ?? [];
        (int Status, JsonNode Body) answer;
        lock (Sync)
        {
            answer = action switch
            {
                "GetSecretValue" => GetSecretValue(request),
                "PutSecretValue" => PutSecretValue(request),
                "ListSecrets" => ListSecrets(request),
                "DescribeSecret" => DescribeSecret(request),
                "UpdateSecretVersionStage" => UpdateSecretVersionStage(request),
                _ => Error("UnknownOperationException", null),
            };
        }

        if (answer.Status != 200)
        {
            context.Response.Headers["x-amzn-ErrorType"] = answer.Body["__type"]?.GetValue<string>() + ":";
        }

        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await WriteJsonAsync(context, answer.Status, answer.Body, "application/x-amz-json-1.1").ConfigureAwait(false);
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string message)
        => WriteErrorAsync(context, statusCode, statusCode switch { 429 or 400 => "ThrottlingException", _ => "InternalServiceError" }, message);

    private static Task WriteErrorAsync(HttpContext context, int statusCode, string type, string? message)
    {
        context.Response.Headers["x-amzn-ErrorType"] = type + ":";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        var body = Error(type, message).Body;
        return WriteJsonAsync(context, statusCode, body, "application/x-amz-json-1.1");
    }

    private static (int, JsonNode Body) Error(string type, string? message)
    {
        var body = new JsonObject { ["__type"] = type };
        if (message is not null)
        {
            body["Message"] = message;
        }

        return (type == "InternalServiceError" ? 500 : 400, body);
    }

    private static (int, JsonNode) NotFound() => Error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");

    private static JsonArray Array(IEnumerable<string> values) => [.. values.Select(v => (JsonNode?)JsonValue.Create(v))];

    private static double Epoch(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds() / 1000.0;

    private (string Type, string Message)? Authenticate(HttpContext context, string body)
        => SigV4Verifier.Verify(context, body, AccessKeyId, SecretAccessKey, Region, "secretsmanager", Time.GetUtcNow()) switch
        {
            null => null,
            SigV4Failure.Missing => ("MissingAuthenticationTokenException", "Missing Authentication Token"),
            SigV4Failure.Incomplete => ("IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."),
            SigV4Failure.UnknownAccessKey => ("UnrecognizedClientException", "The security token included in the request is invalid."),
            SigV4Failure.SignatureMismatch => ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
            SigV4Failure.WrongScope => ("InvalidSignatureException", $"Credential should be scoped to a valid region and service ({Region}/secretsmanager)."),
            _ => ("InvalidSignatureException", "Signature expired: the request's X-Amz-Date is more than 5 minutes from the server's time."),
        };

    private Secret? Find(JsonObject request)
    {
        var id = request["SecretId"]?.GetValue<string>();
        return id is null ? null : _secrets.Values.FirstOrDefault(s => string.Equals(s.Name, id, StringComparison.Ordinal) || string.Equals(s.Arn, id, StringComparison.Ordinal));
    }

    private (int, JsonNode) GetSecretValue(JsonObject request)
    {
        if (Find(request) is not { } secret)
        {
            return NotFound();
        }

        var versionId = request["VersionId"]?.GetValue<string>();
        var stage = request["VersionStage"]?.GetValue<string>() ?? (versionId is null ? Current : null);
        var version = secret.Versions.Find(v => (versionId is null || v.VersionId == versionId) && (stage is null || v.Stages.Contains(stage)));
        if (version is null)
        {
            return Error("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for " + (versionId is null ? "staging label: " + stage : "VersionId: " + versionId));
        }

        return (200, new JsonObject
        {
            ["ARN"] = secret.Arn,
            ["Name"] = secret.Name,
            ["VersionId"] = version.VersionId,
            ["SecretString"] = version.Value,
            ["VersionStages"] = Array(version.Stages),
            ["CreatedDate"] = Epoch(version.Created),
        });
    }

    private (int, JsonNode) PutSecretValue(JsonObject request)
    {
        if (Find(request) is not { } secret)
        {
            return NotFound();
        }

        if (request["SecretString"]?.GetValue<string>() is not { } value)
        {
            return Error("InvalidParameterException", "You must provide either SecretString or SecretBinary.");
        }

        var token = request["ClientRequestToken"]?.GetValue<string>() ?? Guid.NewGuid().ToString();
        if (token.Length is < 32 or > 64)
        {
            return Error("ValidationException", "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64");
        }

        var existing = secret.Versions.Find(v => v.VersionId == token);
        if (existing is not null)
        {
            return existing.Value == value
                ? (200, new JsonObject { ["ARN"] = secret.Arn, ["Name"] = secret.Name, ["VersionId"] = existing.VersionId, ["VersionStages"] = Array(existing.Stages) })
                : Error("ResourceExistsException", "You can't modify an existing version, you can only create a new version.");
        }

        var stages = request["VersionStages"] is JsonArray requested ? requested.Select(n => n!.GetValue<string>()).ToList() : [Current];
        var version = new SecretVersion(token, value, [], Time.GetUtcNow());
        secret.Versions.Add(version);
        foreach (var stage in stages)
        {
            MoveStage(secret, stage, version);
        }

        return (200, new JsonObject { ["ARN"] = secret.Arn, ["Name"] = secret.Name, ["VersionId"] = version.VersionId, ["VersionStages"] = Array(version.Stages) });
    }

    private (int, JsonNode) UpdateSecretVersionStage(JsonObject request)
    {
        if (Find(request) is not { } secret)
        {
            return NotFound();
        }

        var stage = request["VersionStage"]?.GetValue<string>();
        var move = request["MoveToVersionId"]?.GetValue<string>();
        var remove = request["RemoveFromVersionId"]?.GetValue<string>();
        var holder = secret.Versions.Find(v => stage is not null && v.Stages.Contains(stage));
        if (stage is null || (holder is not null && move is not null && holder.VersionId != remove && holder.VersionId != move))
        {
            return Error("InvalidParameterException", $"The parameter RemoveFromVersionId can't be empty. Staging label {stage} is currently attached to version {holder?.VersionId}, so you must explicitly reference that version in RemoveFromVersionId.");
        }

        if (move is not null)
        {
            if (secret.Versions.Find(v => v.VersionId == move) is not { } target)
            {
                return Error("ResourceNotFoundException", "Secrets Manager can't find the specified secret version: " + move);
            }

            MoveStage(secret, stage, target);
        }
        else if (secret.Versions.Find(v => v.VersionId == remove) is { } from)
        {
            from.Stages.Remove(stage);
        }

        return (200, new JsonObject { ["ARN"] = secret.Arn, ["Name"] = secret.Name });
    }

    // DescribeSecretResponse names the version map VersionIdsToStages; SecretListEntry names it SecretVersionsToStages.
    private (int, JsonNode) DescribeSecret(JsonObject request)
    {
        if (Find(request) is not { } secret)
        {
            return NotFound();
        }

        var entry = Entry(secret);
        entry["VersionIdsToStages"] = entry["SecretVersionsToStages"]!.DeepClone();
        entry.Remove("SecretVersionsToStages");
        return (200, entry);
    }

    private static (int, JsonNode) Invalid(string member, string constraint)
        => Error("ValidationException", $"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}");

    private (int, JsonNode) ListSecrets(JsonObject request)
    {
        var max = request["MaxResults"]?.GetValue<int>() ?? 100;
        if (max is < 1 or > 100)
        {
            return Invalid("maxResults", "Member must have value less than or equal to 100 and greater than or equal to 1");
        }

        var start = 0;
        if (request["NextToken"]?.GetValue<string>() is { } token && (!int.TryParse(token, CultureInfo.InvariantCulture, out start) || start < 0))
        {
            return Error("InvalidNextTokenException", "The NextToken value is invalid.");
        }

        if (request["Filters"] is JsonArray { Count: > 10 })
        {
            return Invalid("filters", "Member must have length less than or equal to 10");
        }

        IEnumerable<Secret> secrets = _secrets.Values.OrderBy(s => s.Name, StringComparer.Ordinal);
        if (request["Filters"] is JsonArray filters)
        {
            foreach (var filter in filters.OfType<JsonObject>())
            {
                var key = filter["Key"]?.GetValue<string>();
                var values = (filter["Values"] as JsonArray)?.Select(v => v!.GetValue<string>()).ToList() ?? [];
                if (key is not ("description" or "name" or "tag-key" or "tag-value" or "primary-region" or "owning-service" or "all"))
                {
                    return Invalid("filters.member.key", "Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]");
                }

                if (values.Count is < 1 or > 10 || values.Exists(v => v.Length > 512 || v.Any(c => !char.IsAsciiLetterOrDigit(c) && " :_@/+=.-!".IndexOf(c, StringComparison.Ordinal) < 0)))
                {
                    return Invalid("filters.member.values", "Member must have length between 1 and 10, each matching ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$");
                }

                // Prefix matches, case-sensitive for name and tags; a leading '!' negates the value.
                Func<Secret, string, bool>? match = key switch
                {
                    "name" => (s, v) => s.Name.StartsWith(v, StringComparison.Ordinal),
                    "tag-key" => (s, v) => s.Tags.Keys.Any(k => k.StartsWith(v, StringComparison.Ordinal)),
                    "tag-value" => (s, v) => s.Tags.Values.Any(t => t.StartsWith(v, StringComparison.Ordinal)),
                    _ => null,
                };
                if (match is not null)
                {
                    secrets = secrets.Where(s => values.Exists(v => v.StartsWith('!') ? !match(s, v[1..]) : match(s, v))).ToList();
                }
            }
        }

        var all = secrets.ToList();
        var list = new JsonArray();
        foreach (var secret in all.Skip(start).Take(max))
        {
            list.Add((JsonNode)Entry(secret));
        }

        var body = new JsonObject { ["SecretList"] = list };
        if (start + max < all.Count)
        {
            body["NextToken"] = (start + max).ToString(CultureInfo.InvariantCulture);
        }

        return (200, body);
    }

    private static JsonObject Entry(Secret secret)
    {
        var stages = new JsonObject();
        foreach (var version in secret.Versions.Where(v => v.Stages.Count > 0))
        {
            stages[version.VersionId] = Array(version.Stages);
        }

        var tags = new JsonArray();
        foreach (var (key, value) in secret.Tags)
        {
            tags.Add((JsonNode)new JsonObject { ["Key"] = key, ["Value"] = value });
        }

        return new JsonObject { ["ARN"] = secret.Arn, ["Name"] = secret.Name, ["Tags"] = tags, ["SecretVersionsToStages"] = stages, ["CreatedDate"] = Epoch(secret.Versions[0].Created) };
    }

    // A label sits on one version at a time; moving AWSCURRENT leaves AWSPREVIOUS on the version that held it.
    private static void MoveStage(Secret secret, string stage, SecretVersion target)
    {
        var holder = secret.Versions.Find(v => v.Stages.Contains(stage));
        if (ReferenceEquals(holder, target))
        {
            return;
        }

        holder?.Stages.Remove(stage);
        target.Stages.Add(stage);
        if (stage == Current && holder is not null)
        {
            secret.Versions.Find(v => v.Stages.Contains(Previous))?.Stages.Remove(Previous);
            holder.Stages.Add(Previous);
        }
    }

    private sealed record Secret(string Name, string Arn, Dictionary<string, string> Tags)
    {
        public List<SecretVersion> Versions { get; } = [];
    }

    private sealed record SecretVersion(string VersionId, string Value, HashSet<string> Stages, DateTimeOffset Created);
}
