using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Http.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation (runs alone: the process-wide allocation counter sees every test)";
}

/// <summary>Bounded memory on hostile answers: a huge error body is classified from a bounded prefix and reaches the caller whole.</summary>
[Collection(AllocationCollection.Name)]
public sealed class HostileAnswerTests : IAsyncLifetime
{
    private const int BodyBytes = 64 << 20;
    private const long AllocationBound = 8 << 20;
    private static readonly byte[] ErrorJson = Encoding.UTF8.GetBytes("""{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","code":"insufficient_quota"}}""");

    private LoopbackOrigin _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = await LoopbackOrigin.StartAsync();
        var chunk = new byte[64 * 1024];
        for (var i = 0; i < chunk.Length; i++)
        {
            // JSON whitespace in a pattern, so the body stays valid JSON and a reordered or lost chunk is seen.
            chunk[i] = " \t\r\n"u8[i % 4];
        }

        _provider.Respond = async context =>
        {
            if (context.Request.Path.StartsWithSegments("/warm-up"))
            {
                await context.Response.WriteAsync("{}");
                return;
            }

            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.ContentType = "application/json";
            context.Response.Headers.RetryAfter = "30";
            if (context.Request.Query.ContainsKey("length"))
            {
                context.Response.ContentLength = BodyBytes;
            }

            await context.Response.Body.WriteAsync(ErrorJson);
            for (var written = ErrorJson.Length; written < BodyBytes; written += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, BodyBytes - written)));
            }
        };
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Theory]
    [InlineData("/v1/chat/completions?length")]
    [InlineData("/v1/chat/completions")]
    public async Task Send_64MiBErrorBody_IsClassifiedFromAPrefix_AndTheCallerReadsAllOfIt(string path)
    {
        using var harness = new HttpHarness(services: (s, _) => s.AddHttpClient("llm").AddIronCageKey("openai/prod"));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var client = harness.CreateClient("llm");
        var buffer = new byte[81920];
        var expected = new byte[buffer.Length];
        (await client.GetAsync(_provider.At("/warm-up"), HttpCompletionOption.ResponseHeadersRead)).Dispose();

        var before = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await client.GetAsync(_provider.At(path), HttpCompletionOption.ResponseHeadersRead);
        long total = 0;
        var unchanged = true;
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                Expected(total, expected.AsSpan(0, read));
                unchanged &= buffer.AsSpan(0, read).SequenceEqual(expected.AsSpan(0, read));
                total += read;
            }
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        total.Should().Be(BodyBytes, "the caller reads the whole body");
        unchanged.Should().BeTrue("the body reaches the caller byte for byte as the provider sent it");
        harness.Logs.Entries.Should().Contain(e => e.EventId.Id == 3003 && e.Message.Contains("QuotaExhausted"), "insufficient_quota in the body's prefix classified the 429 as an exhausted quota, not a rate limit");
        harness.Usage.Samples.Should().Contain(s => s.Error == ProviderErrorKind.QuotaExhausted, "the usage handler classified the same prefix");
        allocated.Should().BeLessThan(AllocationBound, "only a bounded prefix of the error body is held in memory");
    }

    private static void Expected(long offset, Span<byte> into)
    {
        for (var i = 0; i < into.Length; i++)
        {
            var at = offset + i;
            into[i] = at < ErrorJson.Length ? ErrorJson[at] : " \t\r\n"u8[(int)((at - ErrorJson.Length) % 4)];
        }
    }
}
