using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using IronCage.Secrets.AwsSecretsManager;

namespace IronCage.Secrets.Cloud.Tests.AwsSecretsManager;

/// <summary>
/// Pins the JSON 1.1 wire shapes against botocore's secretsmanager/2017-10-17/service-2.json: target prefix
/// "secretsmanager", the operation and member names, ClientRequestTokenType (32–64), MaxResultsType (1–100),
/// FilterNameStringType, the exception shapes (member "Message") and DescribeSecretResponse.VersionIdsToStages.
/// </summary>
public sealed class SecretsManagerWireTests : IAsyncLifetime, IDisposable
{
    private const string SecretName = "prod/llm-keys";
    private readonly RecordingHandler _recorder = new();
    private SecretsManagerEmulator _aws = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _aws = await SecretsManagerEmulator.StartAsync();
        _aws.CreateSecret(SecretName, """{"OPENAI_API_KEY":"sk-old"}""", new Dictionary<string, string> { ["ironcage"] = "import" });
        _http = new HttpClient(_recorder);
    }

    public void Dispose()
    {
        _http.Dispose();
        _recorder.Dispose();
    }

    public async Task DisposeAsync()
    {
        await _aws.DisposeAsync();
    }

    [Fact]
    public async Task DistributeAsync_Requests_MatchTheGetSecretValueAndPutSecretValueShapes()
    {
        var target = new AwsSecretsManagerTarget(TargetOptions(), _http);
        using var secret = SecretValue.FromString("sk-" + Guid.NewGuid().ToString("N"));

        await target.DistributeAsync(TestKeys.Distribution(secret));

        var requests = _recorder.Requests;
        requests.Should().HaveCount(2);
        requests.Should().OnlyContain(r => r.Method == "POST" && r.Uri.AbsolutePath == "/" && r.Header("Content-Type") == "application/x-amz-json-1.1");
        requests[0].Header("X-Amz-Target").Should().Be("secretsmanager.GetSecretValue");
        requests[0].Json.Select(p => p.Key).Should().BeEquivalentTo("SecretId", "VersionStage");
        requests[0].Json["VersionStage"]!.GetValue<string>().Should().Be("AWSCURRENT");
        requests[1].Header("X-Amz-Target").Should().Be("secretsmanager.PutSecretValue");
        requests[1].Json.Select(p => p.Key).Should().BeEquivalentTo("SecretId", "ClientRequestToken", "SecretString");
        requests[1].Json["ClientRequestToken"]!.GetValue<string>().Length.Should().BeInRange(32, 64);
        requests.Should().OnlyContain(r => r.Header("Authorization")!.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal) && r.Header("X-Amz-Date") != null);
    }

    [Fact]
    public async Task ReadAsync_ListSecrets_SendsModelFiltersAndMaxResults100()
    {
        var options = SourceOptions();
        options.NamePrefix = "prod/";
        options.Tags["ironcage"] = "import";
        var source = new AwsSecretsManagerSource(options, _http);

        var candidates = new List<KeyCandidate>();
        await foreach (var candidate in source.ReadAsync())
        {
            candidates.Add(candidate);
        }

        candidates.Should().ContainSingle(c => c.Name == "OPENAI_API_KEY");
        var list = _recorder.Requests[0];
        list.Header("X-Amz-Target").Should().Be("secretsmanager.ListSecrets");
        list.Json["MaxResults"]!.GetValue<int>().Should().Be(100);
        list.Json["Filters"]!.ToJsonString().Should().Be("""[{"Key":"name","Values":["prod/"]},{"Key":"tag-key","Values":["ironcage"]}]""");
        list.Json.ContainsKey("NextToken").Should().BeFalse();
    }

    [Fact]
    public async Task ReadAsync_NoFilters_OmitsTheFiltersMember()
    {
        var source = new AwsSecretsManagerSource(SourceOptions(), _http);

        await foreach (var candidate in source.ReadAsync())
        {
            candidate.Secret.Dispose();
        }

        _recorder.Requests[0].Json.Select(p => p.Key).Should().BeEquivalentTo("MaxResults");
    }

    [Fact]
    public void Constructor_MoreThanTenFilters_ThrowsSayingTheServiceLimit()
    {
        var options = SourceOptions();
        for (var i = 0; i < 11; i++)
        {
            options.Tags["tag" + i] = string.Empty;
        }

        var act = () => new AwsSecretsManagerSource(options, _http);

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain("at most 10");
    }

    [Theory]
    [InlineData("""{"MaxResults":101}""", "ValidationException")]
    [InlineData("""{"MaxResults":0}""", "ValidationException")]
    [InlineData("""{"NextToken":"not-a-token"}""", "InvalidNextTokenException")]
    [InlineData("""{"Filters":[{"Key":"nme","Values":["x"]}]}""", "ValidationException")]
    [InlineData("""{"Filters":[{"Key":"name","Values":["a*b"]}]}""", "ValidationException")]
    public async Task Emulator_ListSecretsOutsideTheModel_AnswersTheModelError(string body, string expectedType)
    {
        var (status, answer) = await RawAsync("ListSecrets", body);

        status.Should().Be(HttpStatusCode.BadRequest);
        answer["__type"]!.GetValue<string>().Should().Be(expectedType);
        answer.ContainsKey("Message").Should().BeTrue();
    }

    [Fact]
    public async Task Emulator_ShortClientRequestToken_AnswersValidationException()
    {
        var (status, answer) = await RawAsync("PutSecretValue", $$"""{"SecretId":"{{SecretName}}","ClientRequestToken":"short","SecretString":"x"}""");

        status.Should().Be(HttpStatusCode.BadRequest);
        answer["__type"]!.GetValue<string>().Should().Be("ValidationException");
    }

    [Fact]
    public async Task Emulator_MissingSecret_AnswersResourceNotFoundWithCapitalMessage()
    {
        var (status, answer) = await RawAsync("GetSecretValue", """{"SecretId":"nope"}""");

        status.Should().Be(HttpStatusCode.BadRequest);
        answer["__type"]!.GetValue<string>().Should().Be("ResourceNotFoundException");
        answer["Message"]!.GetValue<string>().Should().NotBeEmpty();
        answer.ContainsKey("message").Should().BeFalse();
    }

    [Fact]
    public async Task Emulator_DescribeSecret_NamesTheVersionMapVersionIdsToStages()
    {
        var (status, answer) = await RawAsync("DescribeSecret", $$"""{"SecretId":"{{SecretName}}"}""");
        var (_, list) = await RawAsync("ListSecrets", "{}");

        status.Should().Be(HttpStatusCode.OK);
        answer.ContainsKey("VersionIdsToStages").Should().BeTrue();
        answer.ContainsKey("SecretVersionsToStages").Should().BeFalse();
        list["SecretList"]![0]!.AsObject().ContainsKey("SecretVersionsToStages").Should().BeTrue();
    }

    [Fact]
    public async Task Emulator_NegatedNameFilter_ExcludesTheMatches()
    {
        _aws.CreateSecret("staging/other", "x");

        var (_, list) = await RawAsync("ListSecrets", """{"Filters":[{"Key":"name","Values":["!prod/"]}]}""");

        list["SecretList"]!.AsArray().Select(e => e!["Name"]!.GetValue<string>()).Should().Equal("staging/other");
    }

    [Theory]
    [InlineData("DecryptionFailure", SecretStoreErrorKind.Forbidden, "kms:Decrypt")]
    [InlineData("InvalidRequestException", SecretStoreErrorKind.Unknown, "scheduled for deletion")]
    [InlineData("InvalidParameterException", SecretStoreErrorKind.Unknown, "rejected a parameter")]
    [InlineData("ResourceExistsException", SecretStoreErrorKind.Conflict, "client request token")]
    public async Task DistributeAsync_ModelErrorShapes_MapToKindAndFix(string type, SecretStoreErrorKind kind, string fix)
    {
        using var http = new HttpClient(new ErrorHandler(type));
        var target = new AwsSecretsManagerTarget(TargetOptions(), http);
        using var secret = SecretValue.FromString("sk-" + Guid.NewGuid().ToString("N"));

        var act = () => target.DistributeAsync(TestKeys.Distribution(secret));

        var thrown = (await act.Should().ThrowAsync<SecretStoreException>()).Which;
        thrown.Kind.Should().Be(kind);
        thrown.ErrorCode.Should().Be(type);
        thrown.Message.Should().Contain(fix).And.Contain("the model says so");
    }

    private AwsSecretsManagerTargetOptions TargetOptions() => new()
    {
        Key = "openai/prod",
        Region = _aws.Region,
        ServiceUrl = _aws.BaseAddress,
        Credentials = new BasicAWSCredentials(_aws.AccessKeyId, _aws.SecretAccessKey),
        SecretId = SecretName,
        Field = "OPENAI_API_KEY",
    };

    private AwsSecretsManagerSourceOptions SourceOptions() => new()
    {
        Region = _aws.Region,
        ServiceUrl = _aws.BaseAddress,
        Credentials = new BasicAWSCredentials(_aws.AccessKeyId, _aws.SecretAccessKey),
    };

    // Sends a raw, correctly signed JSON 1.1 request through the target's own signer path: a target call with a
    // recording handler that swaps the body is heavier than signing here, so this signs with AWSSDK.Core directly.
    private async Task<(HttpStatusCode Status, JsonObject Body)> RawAsync(string action, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var signing = new Amazon.Runtime.Signing.AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = _aws.BaseAddress, Content = bytes };
        signing.Headers["Content-Type"] = "application/x-amz-json-1.1";
        signing.Headers["X-Amz-Target"] = "secretsmanager." + action;
        var signed = await Amazon.Runtime.Signing.AWSSigV4Signer.SignAsync(signing, new Amazon.Runtime.Signing.AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(_aws.AccessKeyId, _aws.SecretAccessKey),
            Region = Amazon.RegionEndpoint.GetBySystemName(_aws.Region),
            Service = "secretsmanager",
            SignPayload = true,
            SignedAt = DateTime.UtcNow,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, _aws.BaseAddress) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "secretsmanager." + action);
        foreach (var (name, value) in signed.Headers)
        {
            if (!name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && !name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    // Answers every call with one of the model's exception shapes, as the service sends it (status 400, "__type", "Message").
    private sealed class ErrorHandler(string type) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest)
            {
                Content = new StringContent($$"""{"__type":"{{type}}","Message":"the model says so"}""", Encoding.UTF8, "application/x-amz-json-1.1"),
            });
    }
}
