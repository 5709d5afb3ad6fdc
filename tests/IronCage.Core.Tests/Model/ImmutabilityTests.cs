using IronCage.Encryption;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Core.Tests.Model;

/// <summary>Collections handed to IronCage's immutable types are copied, and what they expose cannot be cast back and changed.</summary>
public sealed class ImmutabilityTests
{
    [Fact]
    public void ManagedKey_CopiesTheCollectionsItIsGiven()
    {
        var labels = new Dictionary<string, string> { ["env"] = "prod" };
        var scope = new Dictionary<string, string> { ["project"] = "proj_1" };
        var versions = new List<KeyVersion>();
        var key = new ManagedKey { Reference = KeyReference.Parse("openai/prod"), Labels = labels, Scope = scope, Versions = versions };

        labels["env"] = "dev";
        scope.Clear();
        versions.Add(new KeyVersion
        {
            VersionId = "kv_1",
            Stage = KeyStage.Current,
            CreatedAt = Instant.FromUnixTimeSeconds(0),
            DisplayHint = "…",
            Fingerprint = "fp",
            Secret = new EncryptedSecret { KeyEncryptionKeyId = "k", WrappedDataKey = new byte[1], Nonce = new byte[12], Ciphertext = new byte[16] },
        });

        key.Labels["env"].Should().Be("prod");
        key.Scope["project"].Should().Be("proj_1");
        key.Versions.Should().BeEmpty();
        (key.Versions as IList<KeyVersion>)?.IsReadOnly.Should().BeTrue();
    }

    [Fact]
    public void BuiltInDescriptors_CannotBeChangedThroughTheirCollections()
    {
        var openai = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenAI);

        openai.EnvironmentVariables.Should().NotBeAssignableTo<string[]>();
        openai.EnvironmentVariables.Should().NotBeAssignableTo<List<string>>();
        openai.KeyFormats.Should().NotBeAssignableTo<KeyFormat[]>();
        openai.CapabilityNotes.Should().NotBeAssignableTo<Dictionary<ProviderCapabilities, string>>();
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AwsBedrock).VerifyCall!.DefaultParameters.Should().NotBeAssignableTo<Dictionary<string, string>>();
        new UsageLimits().AlertThresholds.Should().NotBeAssignableTo<decimal[]>();
    }

    [Fact]
    public void MaintenanceWindow_DaysCannotBeChanged()
    {
        var window = new MaintenanceWindow([IsoDayOfWeek.Saturday], new LocalTime(2, 0), Duration.FromHours(2), DateTimeZone.Utc);
        window.Days.Should().NotBeAssignableTo<SortedSet<IsoDayOfWeek>>().And.NotBeAssignableTo<HashSet<IsoDayOfWeek>>();
        if (window.Days is ISet<IsoDayOfWeek> set)
        {
            set.Invoking(s => s.Add(IsoDayOfWeek.Monday)).Should().Throw<NotSupportedException>();
        }
    }
}
