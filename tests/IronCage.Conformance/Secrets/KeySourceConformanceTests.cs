using IronCage.Secrets;
using IronCage.Testing;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IKeySource"/> keeps: it yields each value it was seeded with under its name, exactly
/// (no trailing newline, no quotes), reads the same again on a second call, yields nothing when empty, honours
/// cancellation, and never shows a value in its name, a candidate's origin or a candidate's <c>ToString</c>.
/// Subclass it and implement <see cref="CreateSourceAsync"/>; override <see cref="ExpectedName"/> when the source
/// stores names differently (a Key Vault secret name cannot hold '_').
/// </summary>
public abstract class KeySourceConformanceTests : IAsyncLifetime
{
    /// <summary>Gets names every source must be able to hold and that name catalog providers.</summary>
    protected static IReadOnlyList<string> SeedNames { get; } = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GROQ_API_KEY"];

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    [ConformanceFact]
    public async Task ReadAsync_SeededEntries_YieldsEachValueUnderItsName()
    {
        var seeded = Seed();
        var source = await CreateSourceAsync(seeded);

        var candidates = await ReadAllAsync(source);
        try
        {
            foreach (var (name, value) in seeded)
            {
                var candidate = candidates.SingleOrDefault(c => string.Equals(c.Name, ExpectedName(name), StringComparison.OrdinalIgnoreCase));
                candidate.Should().NotBeNull($"{source.Name} was seeded with {name}");
                candidate!.Secret.Matches(value).Should().BeTrue($"the value of {name} must come back exactly (no quotes, no trailing newline)");
                candidate.Origin.Should().NotBeNullOrWhiteSpace();
            }
        }
        finally
        {
            Dispose(candidates);
        }
    }

    [ConformanceFact]
    public async Task ReadAsync_EveryCandidate_NeverShowsItsValue()
    {
        var seeded = Seed();
        var source = await CreateSourceAsync(seeded);

        var candidates = await ReadAllAsync(source);
        try
        {
            candidates.Should().NotBeEmpty();
            foreach (var value in seeded.Values)
            {
                source.Name.Should().NotContain(value);
                foreach (var candidate in candidates)
                {
                    candidate.Origin.Should().NotContain(value);
                    candidate.ToString().Should().NotContain(value);
                    (candidate.Name ?? string.Empty).Should().NotContain(value);
                    candidate.Attributes.Values.Should().NotContain(v => v.Contains(value, StringComparison.Ordinal));
                }
            }
        }
        finally
        {
            Dispose(candidates);
        }
    }

    [ConformanceFact]
    public async Task ReadAsync_Twice_YieldsTheSameCandidates()
    {
        var source = await CreateSourceAsync(Seed());

        var first = await ReadAllAsync(source);
        var second = await ReadAllAsync(source);
        try
        {
            second.Select(c => (c.Name, c.Origin)).Should().BeEquivalentTo(first.Select(c => (c.Name, c.Origin)));
            foreach (var candidate in first)
            {
                second.Single(c => c.Origin == candidate.Origin).Secret.Should().Be(candidate.Secret);
            }
        }
        finally
        {
            Dispose(first);
            Dispose(second);
        }
    }

    [ConformanceFact]
    public async Task ReadAsync_Empty_YieldsNothing()
    {
        var source = await CreateSourceAsync(new Dictionary<string, string>());

        var candidates = await ReadAllAsync(source);

        candidates.Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task ReadAsync_Cancelled_Throws()
    {
        var source = await CreateSourceAsync(Seed());
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var act = async () =>
        {
            await foreach (var candidate in source.ReadAsync(cancellation.Token))
            {
                candidate.Dispose();
            }
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [ConformanceFact]
    public async Task Name_IsSet()
    {
        var source = await CreateSourceAsync(new Dictionary<string, string>());

        source.Name.Should().NotBeNullOrWhiteSpace();
    }

    /// <summary>Creates a source that holds exactly <paramref name="entries"/> (name → value) and nothing else.</summary>
    /// <param name="entries">The names and values to hold.</param>
    /// <returns>The source.</returns>
    protected abstract Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries);

    /// <summary>Returns the candidate name the source yields for a seeded name (compared ignoring case).</summary>
    /// <param name="seededName">The name given to <see cref="CreateSourceAsync"/>.</param>
    /// <returns>The expected <see cref="KeyCandidate.Name"/>.</returns>
    protected virtual string ExpectedName(string seededName) => seededName;

    private static Dictionary<string, string> Seed() => new()
    {
        [SeedNames[0]] = FakeKeys.GenerateText(ProviderId.OpenAI),
        [SeedNames[1]] = FakeKeys.GenerateText(ProviderId.Anthropic),
        [SeedNames[2]] = FakeKeys.GenerateText(ProviderId.Groq),
    };

    private static async Task<List<KeyCandidate>> ReadAllAsync(IKeySource source)
    {
        var list = new List<KeyCandidate>();
        await foreach (var candidate in source.ReadAsync())
        {
            list.Add(candidate);
        }

        return list;
    }

    private static void Dispose(List<KeyCandidate> candidates)
    {
        foreach (var candidate in candidates)
        {
            candidate.Dispose();
        }
    }
}
