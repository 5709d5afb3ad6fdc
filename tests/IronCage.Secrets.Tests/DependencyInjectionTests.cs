using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IronCage.Secrets.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public void AddKeyImport_Twice_RegistersOneImporter()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddKeyImport().AddKeyImport();

        using var provider = services.BuildServiceProvider();

        provider.GetServices<IKeyImporter>().Should().ContainSingle();
    }

    [Fact]
    public void AddTargets_AreDistributionTargets()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddFileKeyTarget(o => (o.Path, o.Key) = ("/run/secrets/openai", KeyReference.Parse("openai/prod")))
            .AddDotEnvKeyTarget(o => (o.Path, o.Key, o.VariableName) = (".env", KeyReference.Parse("openai/prod"), "OPENAI_API_KEY"))
            .AddWebhookKeyTarget(o =>
            {
                o.Url = new Uri("https://consumer.example/hook");
                o.Secret = "0123456789abcdef-signing-secret";
                o.Keys.Add(KeyReference.Parse("openai/prod"));
            });

        using var provider = services.BuildServiceProvider();

        provider.GetServices<IKeyDistributionTarget>().Select(t => t.Name).Should().Equal("file:/run/secrets/openai", "dotenv:.env#OPENAI_API_KEY", "webhook:https://consumer.example");
    }

    [Fact]
    public void AddWebhookKeyTarget_PlainHttp_FailsAtConfiguration()
    {
        var builder = new ServiceCollection().AddIronCage();

        var act = () => builder.AddWebhookKeyTarget(o =>
        {
            o.Url = new Uri("http://consumer.example/hook");
            o.Secret = "0123456789abcdef-signing-secret";
            o.Keys.Add(KeyReference.Parse("openai/prod"));
        });

        act.Should().Throw<OptionsValidationException>().WithMessage("*https*");
    }
}
