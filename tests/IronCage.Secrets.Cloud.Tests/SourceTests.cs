using Amazon.Runtime;
using IronCage.Secrets.AwsSecretsManager;
using IronCage.Secrets.AzureKeyVault;
using IronCage.Secrets.Cloud.Tests.AzureKeyVault;
using IronCage.Secrets.HashiCorpVault;
using IronCage.Secrets.Kubernetes;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>The cloud sources against their emulators (the scenarios the shared source conformance suite will hold: every selected value read, the rest skipped, a bad credential a typed error).</summary>
public sealed class SourceTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task AzureKeyVaultSource_PrefixAndTag_ReadsOnlyMatchingSecretsWithDetectableNames()
    {
        await using var vault = await KeyVaultEmulator.StartAsync();
        var openai = FakeKeys.GenerateText(ProviderId.OpenAI);
        vault.SetSecret("llm-OPENAI-API-KEY", openai, new Dictionary<string, string> { ["ironcage-import"] = "yes" });
        vault.SetSecret("llm-ANTHROPIC-API-KEY", FakeKeys.GenerateText(ProviderId.Anthropic));
        vault.SetSecret("db-password", "hunter2", new Dictionary<string, string> { ["ironcage-import"] = "yes" });
        var options = new AzureKeyVaultSourceOptions { VaultUri = vault.BaseAddress, Credential = new StaticTokenCredential(vault.AccessToken), NamePrefix = "llm-", ClientOptions = AzureKeyVaultTargetTests.ClientOptions(vault) };
        options.Tags["ironcage-import"] = "yes";

        var read = await SourceAssertions.ReadAllAsync(new AzureKeyVaultSource(options));

        read.Should().ContainSingle();
        read[0].Name.Should().Be("OPENAI_API_KEY", "the selection prefix is not part of the variable name");
        read[0].Value.Should().Be(openai);
        read[0].Origin.Should().Be($"azure-key-vault:127.0.0.1/llm-OPENAI-API-KEY");
    }

    [Fact]
    public async Task AzureKeyVaultSource_WrongToken_ThrowsUnauthenticated()
    {
        await using var vault = await KeyVaultEmulator.StartAsync();
        var source = new AzureKeyVaultSource(new AzureKeyVaultSourceOptions { VaultUri = vault.BaseAddress, Credential = new StaticTokenCredential("wrong"), ClientOptions = AzureKeyVaultTargetTests.ClientOptions(vault) });

        var act = () => SourceAssertions.ReadAllAsync(source);

        (await act.Should().ThrowAsync<SecretStoreException>()).Which.Kind.Should().Be(SecretStoreErrorKind.Unauthenticated);
    }

    [Fact]
    public async Task AwsSecretsManagerSource_JsonMapSecret_YieldsOneCandidatePerStringField()
    {
        await using var aws = await SecretsManagerEmulator.StartAsync();
        var openai = FakeKeys.GenerateText(ProviderId.OpenAI);
        var anthropic = FakeKeys.GenerateText(ProviderId.Anthropic);
        aws.CreateSecret("prod/llm", $$"""{"OPENAI_API_KEY":"{{openai}}","ANTHROPIC_API_KEY":"{{anthropic}}","PORT":8080}""", new Dictionary<string, string> { ["team"] = "ai" });
        aws.CreateSecret("prod/other", "plain-value");
        aws.CreateSecret("staging/llm", """{"OPENAI_API_KEY":"sk-staging"}""", new Dictionary<string, string> { ["team"] = "ai" });
        var options = new AwsSecretsManagerSourceOptions { Region = aws.Region, ServiceUrl = aws.BaseAddress, Credentials = new BasicAWSCredentials(aws.AccessKeyId, aws.SecretAccessKey), NamePrefix = "prod/" };
        options.Tags["team"] = "ai";

        var read = await SourceAssertions.ReadAllAsync(new AwsSecretsManagerSource(options, Http));

        read.Select(r => (r.Name, r.Value)).Should().BeEquivalentTo([("OPENAI_API_KEY", openai), ("ANTHROPIC_API_KEY", anthropic)]);
        read.Should().OnlyContain(r => r.Origin.StartsWith("aws-secrets-manager:us-east-1/prod/llm#"));
    }

    [Fact]
    public async Task AwsSecretsManagerSource_PlainStringSecret_YieldsOneCandidateNamedAfterTheSecret()
    {
        await using var aws = await SecretsManagerEmulator.StartAsync();
        var openai = FakeKeys.GenerateText(ProviderId.OpenAI);
        aws.CreateSecret("prod/openai-api-key", openai);
        var options = new AwsSecretsManagerSourceOptions { Region = aws.Region, ServiceUrl = aws.BaseAddress, Credentials = new BasicAWSCredentials(aws.AccessKeyId, aws.SecretAccessKey) };
        options.SecretIds.Add("prod/openai-api-key");

        var read = await SourceAssertions.ReadAllAsync(new AwsSecretsManagerSource(options, Http));

        read.Should().ContainSingle().Which.Should().Be(("aws-secrets-manager:us-east-1/prod/openai-api-key", "OPENAI_API_KEY", openai));
    }

    [Fact]
    public async Task AwsSecretsManagerSource_WrongSecretKey_ThrowsUnauthenticated()
    {
        await using var aws = await SecretsManagerEmulator.StartAsync();
        var source = new AwsSecretsManagerSource(new AwsSecretsManagerSourceOptions { Region = aws.Region, ServiceUrl = aws.BaseAddress, Credentials = new BasicAWSCredentials(aws.AccessKeyId, "wrong-secret") }, Http);

        var act = () => SourceAssertions.ReadAllAsync(source);

        var thrown = (await act.Should().ThrowAsync<SecretStoreException>()).Which;
        thrown.Kind.Should().Be(SecretStoreErrorKind.Unauthenticated);
        thrown.ErrorCode.Should().Be("InvalidSignatureException");
    }

    [Fact]
    public async Task HashiCorpVaultSource_PathsAndFolder_YieldsEveryStringField()
    {
        await using var vault = await VaultEmulator.StartAsync();
        var openai = FakeKeys.GenerateText(ProviderId.OpenAI);
        var anthropic = FakeKeys.GenerateText(ProviderId.Anthropic);
        vault.Write("apps/chat", new Dictionary<string, string> { ["OPENAI_API_KEY"] = openai });
        vault.Write("llm/anthropic", new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = anthropic });
        vault.Write("llm/nested/deeper", new Dictionary<string, string> { ["X"] = "not-read" });
        var options = new HashiCorpVaultSourceOptions { Address = vault.BaseAddress, RoleId = vault.RoleId, SecretId = vault.SecretId, Folder = "llm" };
        options.Paths.Add("apps/chat");

        var read = await SourceAssertions.ReadAllAsync(new HashiCorpVaultSource(options, Http));

        read.Should().BeEquivalentTo([("vault:127.0.0.1/secret/apps/chat#OPENAI_API_KEY", (string?)"OPENAI_API_KEY", openai), ("vault:127.0.0.1/secret/llm/anthropic#ANTHROPIC_API_KEY", (string?)"ANTHROPIC_API_KEY", anthropic)]);
    }

    [Fact]
    public async Task HashiCorpVaultSource_UnknownToken_ThrowsUnauthenticated()
    {
        await using var vault = await VaultEmulator.StartAsync();
        var options = new HashiCorpVaultSourceOptions { Address = vault.BaseAddress, Token = "hvs.unknown" };
        options.Paths.Add("apps/chat");

        var act = () => SourceAssertions.ReadAllAsync(new HashiCorpVaultSource(options, Http));

        (await act.Should().ThrowAsync<SecretStoreException>()).Which.Kind.Should().Be(SecretStoreErrorKind.Unauthenticated);
    }

    [Fact]
    public async Task KubernetesSecretSource_TwoSecrets_YieldsEveryTextKeyAndSkipsBinaryValues()
    {
        await using var cluster = await KubernetesEmulator.StartAsync();
        var openai = FakeKeys.GenerateText(ProviderId.OpenAI);
        var anthropic = FakeKeys.GenerateText(ProviderId.Anthropic);
        cluster.AddSecret("prod", "chat", new Dictionary<string, string> { ["OPENAI_API_KEY"] = openai + "\n", ["tls.bin"] = "\u0001\u0002binary" });
        cluster.AddSecret("prod", "claude", new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = anthropic });
        using var source = new KubernetesSecretSource(Options(cluster, cluster.Token, "chat", "claude"));

        var read = await SourceAssertions.ReadAllAsync(source);

        read.Should().BeEquivalentTo([("kubernetes:prod/chat#OPENAI_API_KEY", (string?)"OPENAI_API_KEY", openai), ("kubernetes:prod/claude#ANTHROPIC_API_KEY", (string?)"ANTHROPIC_API_KEY", anthropic)], "the trailing line break of a file-made Secret is trimmed and binary values are skipped");
        source.ToString().Should().Be("kubernetes:prod");
    }

    [Fact]
    public async Task KubernetesSecretSource_WrongToken_ThrowsUnauthenticated()
    {
        await using var cluster = await KubernetesEmulator.StartAsync();
        cluster.AddSecret("prod", "chat", new Dictionary<string, string> { ["OPENAI_API_KEY"] = FakeKeys.GenerateText(ProviderId.OpenAI) });
        using var source = new KubernetesSecretSource(Options(cluster, "wrong", "chat"));

        var act = () => SourceAssertions.ReadAllAsync(source);

        (await act.Should().ThrowAsync<SecretStoreException>()).Which.Kind.Should().Be(SecretStoreErrorKind.Unauthenticated);
    }

    [Fact]
    public async Task KubernetesSecretSource_MissingSecret_ThrowsNotFoundNamingIt()
    {
        await using var cluster = await KubernetesEmulator.StartAsync();
        using var source = new KubernetesSecretSource(Options(cluster, cluster.Token, "absent"));

        var act = () => SourceAssertions.ReadAllAsync(source);

        var error = (await act.Should().ThrowAsync<SecretStoreException>()).Which;
        error.Kind.Should().Be(SecretStoreErrorKind.NotFound);
        error.Message.Should().Contain("there is no Secret prod/absent");
    }

    [Fact]
    public void KubernetesSecretSource_InvalidOptions_ThrowAtConstruction()
    {
        var none = new KubernetesSecretSourceOptions { Namespace = "Prod_NS" };

        var act = () => new KubernetesSecretSource(none);

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Failures.Should().HaveCount(2)
            .And.Contain(f => f.Contains("SecretNames is empty", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("'Prod_NS' is not a Kubernetes object name", StringComparison.Ordinal));
    }

    private static KubernetesSecretSourceOptions Options(KubernetesEmulator cluster, string token, params string[] secrets)
    {
        var options = new KubernetesSecretSourceOptions { Namespace = "prod", Configuration = new() { Host = cluster.BaseAddress.ToString(), AccessToken = token } };
        foreach (var secret in secrets)
        {
            options.SecretNames.Add(secret);
        }

        return options;
    }
}
