using System.Text.Json;
using Amazon.Runtime;
using IronCage.Secrets.AwsSecretsManager;

namespace IronCage.Secrets.Cloud.Tests.AwsSecretsManager;

public sealed class AwsSecretsManagerTargetTests : DistributionTargetScenarios
{
    private const string SecretName = "prod/llm-keys";
    private SecretsManagerEmulator _aws = null!;
    private static readonly HttpClient Http = new();

    private protected override string ExpectedPermission => "secretsmanager:PutSecretValue";

    public override async Task InitializeAsync()
    {
        _aws = await SecretsManagerEmulator.StartAsync();
        _aws.CreateSecret(SecretName, """{"OPENAI_API_KEY":"sk-old","DATABASE_URL":"postgres://app@db/app"}""");
    }

    public override async Task DisposeAsync()
    {
        await _aws.DisposeAsync();
        
        Leaks.Dispose();
    }

    [Fact]
    public async Task DistributeAsync_JsonMapSecret_ChangesOnlyTheFieldAndMovesTheStagingLabels()
    {
        var target = CreateTarget();
        using var secret = SecretValue.FromString(NewSecret());

        await target.DistributeAsync(TestKeys.Distribution(secret));

        using var current = JsonDocument.Parse(_aws.GetValue(SecretName)!);
        current.RootElement.GetProperty("DATABASE_URL").GetString().Should().Be("postgres://app@db/app");
        using var previous = JsonDocument.Parse(_aws.GetValue(SecretName, AwsSecretsManagerConstants.PreviousStage)!);
        previous.RootElement.GetProperty("OPENAI_API_KEY").GetString().Should().Be("sk-old");
    }

    [Fact]
    public async Task DistributeAsync_ReceiptVersion_IsTheDeterministicClientRequestToken()
    {
        var target = CreateTarget();
        using var secret = SecretValue.FromString(NewSecret());
        var version = TestKeys.Version();

        var receipt = await target.DistributeAsync(TestKeys.Distribution(secret, version, "op_42"));

        receipt.TargetVersion.Should().Be(AwsSecretsManagerTarget.Token("distribute", "op_42", version.VersionId));
        receipt.TargetVersion!.Length.Should().BeInRange(32, 64);
        _aws.Requests.Should().OnlyContain(r => r == "POST /");
    }

    [Fact]
    public async Task RestoreAsync_AnotherFieldEditedAfterTheRotation_PutsOnlyOurFieldBackAsANewVersion()
    {
        // Why a restore is a new AWSCURRENT version and not the staging labels moved back: labels are version-wide, so
        // moving AWSCURRENT back to the version before the rotation would also undo DATABASE_URL, edited since by another writer.
        var target = CreateTarget();
        using var previousSecret = SecretValue.FromString("sk-old");
        using var newSecret = SecretValue.FromString(NewSecret());
        await target.DistributeAsync(TestKeys.Distribution(newSecret, operationId: "op_7"));
        var otherWriter = new AwsSecretsManagerTarget(Options(SecretName, "DATABASE_URL"), Http);
        using (var database = SecretValue.FromString("postgres://app@db2/app"))
        {
            await otherWriter.DistributeAsync(TestKeys.Distribution(database, operationId: "op_db"));
        }

        var versionsBefore = _aws.VersionCount(SecretName);
        var restore = TestKeys.Distribution(previousSecret, operationId: "op_7");

        await target.RestoreAsync(restore);
        await target.RestoreAsync(restore); // a resumed rollback repeats it

        using var current = JsonDocument.Parse(_aws.GetValue(SecretName)!);
        current.RootElement.GetProperty("OPENAI_API_KEY").GetString().Should().Be("sk-old");
        current.RootElement.GetProperty("DATABASE_URL").GetString().Should().Be("postgres://app@db2/app", "the other writer's edit survives the rollback");
        _aws.VersionCount(SecretName).Should().Be(versionsBefore + 1, "the repeat finds the previous value current and writes nothing");
        using var previous = JsonDocument.Parse(_aws.GetValue(SecretName, AwsSecretsManagerConstants.PreviousStage)!);
        previous.RootElement.GetProperty("DATABASE_URL").GetString().Should().Be("postgres://app@db2/app", "AWSPREVIOUS is the version the restore replaced");
    }

    [Fact]
    public async Task DistributeAsync_WholeStringSecret_ReplacesTheString()
    {
        _aws.CreateSecret("prod/openai", "sk-old");
        var target = new AwsSecretsManagerTarget(Options("prod/openai", field: null), Http);
        var value = NewSecret();
        using var secret = SecretValue.FromString(value);

        await target.DistributeAsync(TestKeys.Distribution(secret));

        _aws.GetValue("prod/openai").Should().Be(value);
    }

    [Fact]
    public async Task DistributeAsync_SecretMissing_ThrowsNotFoundSayingHowToCreateIt()
    {
        var target = new AwsSecretsManagerTarget(Options("prod/missing", "OPENAI_API_KEY"), Http);
        using var secret = SecretValue.FromString(NewSecret());

        var act = () => target.DistributeAsync(TestKeys.Distribution(secret));

        (await act.Should().ThrowAsync<SecretStoreException>()).Which.Message.Should().Contain("create-secret");
    }

    private AwsSecretsManagerTargetOptions Options(string secretId, string? field, bool wrongCredential = false) => new()
    {
        Key = "openai/prod",
        Region = _aws.Region,
        ServiceUrl = _aws.BaseAddress,
        Credentials = new BasicAWSCredentials(wrongCredential ? "AKIAWRONGWRONGWRONG1" : _aws.AccessKeyId, _aws.SecretAccessKey),
        SecretId = secretId,
        Field = field,
    };

    private protected override IKeyDistributionTarget CreateTarget(bool wrongCredential = false)
        => new AwsSecretsManagerTarget(Options(SecretName, "OPENAI_API_KEY", wrongCredential), Http, logger: Leaks.Logger<AwsSecretsManagerTarget>());

    private protected override Task<string?> ReadStoreAsync()
    {
        using var document = JsonDocument.Parse(_aws.GetValue(SecretName)!);
        return Task.FromResult(document.RootElement.GetProperty("OPENAI_API_KEY").GetString());
    }

    private protected override Task<int> WriteCountAsync() => Task.FromResult(_aws.VersionCount(SecretName));

    private protected override void DenyWrites() => _aws.ReadOnly = true;
}
