using IronCage.Storage;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>The operator list's query (<see cref="IKeyStore.ListPageAsync"/>): filters, total and paging, in reference order.</summary>
public abstract partial class KeyStoreConformanceTests
{
    [ConformanceFact]
    public async Task ListPage_NoFilter_PagesInReferenceOrderWithTheTotal()
    {
        var store = await NewStoreAsync();
        foreach (var name in new[] { "openai/c", "anthropic/b", "openai/a", "groq/d", "openai/e" })
        {
            await store.CreateAsync(NewKey(name));
        }

        var first = await store.ListPageAsync(new KeyListQuery { Limit = 2 });
        var second = await store.ListPageAsync(new KeyListQuery { Offset = 2, Limit = 2 });
        var last = await store.ListPageAsync(new KeyListQuery { Offset = 4, Limit = 2 });
        var beyond = await store.ListPageAsync(new KeyListQuery { Offset = 10, Limit = 2 });

        first.Keys.Select(k => k.Reference.ToString()).Should().Equal("anthropic/b", "groq/d");
        second.Keys.Select(k => k.Reference.ToString()).Should().Equal("openai/a", "openai/c");
        last.Keys.Select(k => k.Reference.ToString()).Should().Equal("openai/e");
        beyond.Keys.Should().BeEmpty();
        new[] { first.Total, second.Total, last.Total, beyond.Total }.Should().AllBeEquivalentTo(5);
        first.Keys[0].Versions.Should().ContainSingle().Which.Secret.Ciphertext.Length.Should().BeGreaterThan(0, "page keys are read whole");
    }

    [ConformanceFact]
    public async Task ListPage_Filters_MatchProviderLabelStageAndOverdue()
    {
        var store = await NewStoreAsync();
        var due = T0 + Duration.FromDays(7);
        await store.CreateAsync(NewKey("openai/prod") with { Labels = new Dictionary<string, string> { ["env"] = "prod", ["team"] = "chat" } });
        await store.CreateAsync(NewKey("openai/staging") with { Labels = new Dictionary<string, string> { ["env"] = "staging" } });
        await store.CreateAsync(NewKey("anthropic/prod") with { Labels = new Dictionary<string, string> { ["env"] = "prod" }, Versions = [NewVersion("kv_1", KeyStage.Current), NewVersion("kv_2", KeyStage.Pending)] });
        await store.CreateAsync(Scheduled("groq/weekly", RotationSchedule.Weekly));

        async Task<string[]> Names(KeyListQuery query)
        {
            var page = await store.ListPageAsync(query);
            page.Total.Should().Be(page.Keys.Count, "every match fits on this page");
            return [.. page.Keys.Select(k => k.Reference.ToString())];
        }

        (await Names(new KeyListQuery { Provider = ProviderId.OpenAI })).Should().Equal("openai/prod", "openai/staging");
        (await Names(new KeyListQuery { LabelName = "env", LabelValue = "prod" })).Should().Equal("anthropic/prod", "openai/prod");
        (await Names(new KeyListQuery { LabelName = "team" })).Should().Equal("openai/prod");
        (await Names(new KeyListQuery { LabelName = "env", LabelValue = "Prod" })).Should().BeEmpty("label values compare exactly");
        (await Names(new KeyListQuery { Stage = KeyStage.Pending })).Should().Equal("anthropic/prod");
        (await Names(new KeyListQuery { Provider = ProviderId.OpenAI, LabelName = "env", LabelValue = "staging", Stage = KeyStage.Current })).Should().Equal("openai/staging");
        (await Names(new KeyListQuery { Overdue = true, AsOf = due - Duration.FromTicks(10) })).Should().BeEmpty();
        (await Names(new KeyListQuery { Overdue = true, AsOf = due })).Should().Equal("groq/weekly");
        (await Names(new KeyListQuery { Overdue = false, AsOf = due })).Should().Equal("anthropic/prod", "openai/prod", "openai/staging");
    }

    [ConformanceFact]
    public async Task ListPage_LabelNamesAndValuesWithQuotesAndDots_AreMatchedLiterally()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(NewKey("openai/odd") with { Labels = new Dictionary<string, string> { ["a.b"] = "x'y\"z", ["$.c"] = "1" } });
        await store.CreateAsync(NewKey("openai/plain") with { Labels = new Dictionary<string, string> { ["a"] = "x" } });

        (await store.ListPageAsync(new KeyListQuery { LabelName = "a.b", LabelValue = "x'y\"z" })).Keys.Should().ContainSingle().Which.Reference.Name.Should().Be("odd");
        (await store.ListPageAsync(new KeyListQuery { LabelName = "$.c" })).Keys.Should().ContainSingle().Which.Reference.Name.Should().Be("odd");
        (await store.ListPageAsync(new KeyListQuery { LabelName = "a" })).Keys.Should().ContainSingle().Which.Reference.Name.Should().Be("plain", "'a' is not a prefix of 'a.b'");
    }

    [ConformanceFact]
    public async Task ListPage_BadPage_ThrowsBeforeReading()
    {
        var store = await NewStoreAsync();

        await FluentActions.Awaiting(() => store.ListPageAsync(new KeyListQuery { Limit = 0 }).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => store.ListPageAsync(new KeyListQuery { Offset = -1 }).AsTask()).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => store.ListPageAsync(new KeyListQuery { LabelValue = "prod" }).AsTask()).Should().ThrowAsync<ArgumentException>();
    }
}
