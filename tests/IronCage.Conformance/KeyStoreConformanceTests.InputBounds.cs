using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// Bad input gets a short typed error and changes nothing, in every store alike: text bounds (description, labels,
/// scope, version metadata and provider text), control characters (a NUL, which PostgreSQL refuses and SQLite would
/// store), and policy spans past <see cref="IronCageConstants.MaxPolicySpan"/>.
/// </summary>
public abstract partial class KeyStoreConformanceTests
{
    private static readonly string Megabyte = new('x', 1024 * 1024);

    public static TheoryData<string> BadInputs => new()
    {
        "megabyte description",
        "nul in description",
        "nul in label value",
        "nul in label name",
        "megabyte label value",
        "too many labels",
        "nul in scope",
        "megabyte provider key id",
        "nul in version metadata",
        "key lifetime over ten years",
        "expiry warning lead over ten years",
        "jitter over ten years",
    };

    [ConformanceTheory]
    [MemberData(nameof(BadInputs), MemberType = typeof(KeyStoreConformanceTests))]
    public async Task Create_BadInput_IsRefusedWithAShortTypedErrorAndNothingIsStored(string input)
    {
        var store = await NewStoreAsync();

        var act = async () => await store.CreateAsync(WithBadInput(NewKey("openai/prod"), input));

        var refused = await act.Should().ThrowAsync<IronCageException>();
        refused.Which.Message.Length.Should().BeLessThan(512, "a message quotes at most a short piece of the input");
        refused.Which.Message.Should().NotContain("\0");
        (await store.FindAsync(Ref("openai/prod"))).Should().BeNull();
    }

    [ConformanceTheory]
    [MemberData(nameof(BadInputs), MemberType = typeof(KeyStoreConformanceTests))]
    public async Task Update_BadInput_IsRefusedAndTheKeyIsUnchanged(string input)
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));

        var act = async () => await store.UpdateAsync(WithBadInput(read, input));

        await act.Should().ThrowAsync<IronCageException>();
        var stored = await store.GetAsync(read.Reference);
        stored.ConcurrencyToken.Should().Be(read.ConcurrencyToken);
        ShouldMatch(stored, read);
    }

    [ConformanceFact]
    public async Task Create_TextAtItsDocumentedBounds_RoundTrips()
    {
        var store = await NewStoreAsync();
        var labels = Enumerable.Range(0, IronCageConstants.MaxLabels).ToDictionary(i => $"l{i}".PadRight(IronCageConstants.MaxLabelNameLength, 'n'), i => new string('v', IronCageConstants.MaxLabelValueLength));
        var key = NewKey("openai/prod") with
        {
            Description = "line one\nline two\t" + new string('d', IronCageConstants.MaxDescriptionLength - 18),
            Labels = labels,
        };

        await store.CreateAsync(key);

        ShouldMatch(await store.GetAsync(key.Reference), key);
    }

    private static ManagedKey WithBadInput(ManagedKey key, string input) => input switch
    {
        "megabyte description" => key with { Description = Megabyte },
        "nul in description" => key with { Description = "prod\0key" },
        "nul in label value" => key with { Labels = new Dictionary<string, string> { ["environment"] = "pr\0d" } },
        "nul in label name" => key with { Labels = new Dictionary<string, string> { ["env\0"] = "prod" } },
        "megabyte label value" => key with { Labels = new Dictionary<string, string> { ["environment"] = Megabyte } },
        "too many labels" => key with { Labels = Enumerable.Range(0, IronCageConstants.MaxLabels + 1).ToDictionary(i => $"l{i}", i => "v") },
        "nul in scope" => key with { Scope = new Dictionary<string, string> { ["project_id"] = "proj\0" } },
        "megabyte provider key id" => key with { Versions = [.. key.Versions.Select(v => v with { ProviderKeyId = Megabyte })] },
        "nul in version metadata" => key with { Versions = [.. key.Versions.Select(v => v with { Metadata = new Dictionary<string, string> { ["owner"] = "a\0b" } })] },
        "key lifetime over ten years" => key with { Policy = new RotationPolicy { KeyLifetime = Duration.FromDays(3654) } },
        "expiry warning lead over ten years" => key with { Policy = new RotationPolicy { ExpiryWarningLead = Duration.FromDays(3654) } },
        "jitter over ten years" => key with { Policy = new RotationPolicy { Jitter = Duration.FromDays(3654) } },
        _ => throw new ArgumentOutOfRangeException(nameof(input), input, "unknown bad input"),
    };
}
