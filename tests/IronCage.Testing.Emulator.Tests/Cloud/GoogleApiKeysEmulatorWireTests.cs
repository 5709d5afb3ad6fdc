using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace IronCage.Testing.Emulator.Tests.Cloud;

/// <summary>The Google emulator on the wire: OAuth check, operations, paging, soft delete and undelete, Gemini's key check.</summary>
public sealed class GoogleApiKeysEmulatorWireTests
{
    private static readonly HttpClient Http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Api_WrongToken_Answers401Unauthenticated()
    {
        await using var google = await GoogleApiKeysEmulator.StartAsync(_time);

        var (status, body) = await SendAsync(google, HttpMethod.Get, $"v2/{google.Parent}/keys", token: "ya29.wrong");

        status.Should().Be(401);
        body["error"]!["status"]!.GetValue<string>().Should().Be("UNAUTHENTICATED");
    }

    [Fact]
    public async Task Create_ReturnsAnOperation_ThatYieldsTheKeyWhenPolled()
    {
        await using var google = await GoogleApiKeysEmulator.StartAsync(_time);

        var (status, operation) = await SendAsync(google, HttpMethod.Post, $"v2/{google.Parent}/keys?keyId=gemini-prod", """{"displayName":"Gemini prod","restrictions":{"apiTargets":[{"service":"generativelanguage.googleapis.com"}]}}""");
        var existsBeforePoll = google.TryGetKey("gemini-prod", out _);
        var (_, polled) = await SendAsync(google, HttpMethod.Get, "v2/" + operation["name"]!.GetValue<string>());
        var (_, keyString) = await SendAsync(google, HttpMethod.Get, $"v2/{google.Parent}/keys/gemini-prod/keyString");

        status.Should().Be(200);
        operation["done"]!.GetValue<bool>().Should().BeFalse();
        existsBeforePoll.Should().BeFalse();
        polled["done"]!.GetValue<bool>().Should().BeTrue();
        polled["response"]!["@type"]!.GetValue<string>().Should().Be("type.googleapis.com/google.api.apikeys.v2.Key");
        polled["response"]!["name"]!.GetValue<string>().Should().Be($"{google.Parent}/keys/gemini-prod");
        polled["response"]!["restrictions"]!["apiTargets"]![0]!["service"]!.GetValue<string>().Should().Be("generativelanguage.googleapis.com");
        polled.ToJsonString().Should().NotContain("keyString");
        (await GeminiStatusAsync(google, keyString["keyString"]!.GetValue<string>())).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task List_PagesWithPageToken()
    {
        await using var google = await GoogleApiKeysEmulator.StartAsync(_time);
        google.Seed("a");
        google.Seed("b");
        google.Seed("c");

        var (_, first) = await SendAsync(google, HttpMethod.Get, $"v2/{google.Parent}/keys?pageSize=2");
        var (_, second) = await SendAsync(google, HttpMethod.Get, $"v2/{google.Parent}/keys?pageSize=2&pageToken=" + Uri.EscapeDataString(first["nextPageToken"]!.GetValue<string>()));

        first["keys"]!.AsArray().Select(k => k!["name"]!.GetValue<string>()).Should().Equal($"{google.Parent}/keys/a", $"{google.Parent}/keys/b");
        second["keys"]!.AsArray().Select(k => k!["name"]!.GetValue<string>()).Should().Equal($"{google.Parent}/keys/c");
        second["nextPageToken"].Should().BeNull();
    }

    [Fact]
    public async Task Delete_IsSoft_GeminiRefusesTheKey_AndUndeleteRestoresIt()
    {
        await using var google = await GoogleApiKeysEmulator.StartAsync(_time);
        google.PendingPolls = 0;
        var keyString = google.Seed("gemini-prod");

        var (_, deleted) = await SendAsync(google, HttpMethod.Delete, $"v2/{google.Parent}/keys/gemini-prod");
        var (_, listed) = await SendAsync(google, HttpMethod.Get, $"v2/{google.Parent}/keys");
        var (_, listedWithDeleted) = await SendAsync(google, HttpMethod.Get, $"v2/{google.Parent}/keys?showDeleted=true");
        var refused = await GeminiStatusAsync(google, keyString);
        var (_, undeleted) = await SendAsync(google, HttpMethod.Post, $"v2/{google.Parent}/keys/gemini-prod:undelete", "{}");

        deleted["done"]!.GetValue<bool>().Should().BeTrue();
        deleted["response"]!["deleteTime"]!.GetValue<string>().Should().Be("2026-11-01T09:00:00.000000Z");
        listed["keys"]!.AsArray().Should().BeEmpty();
        listedWithDeleted["keys"]!.AsArray().Should().ContainSingle();
        refused.Should().Be(HttpStatusCode.BadRequest);
        undeleted["response"]!["deleteTime"].Should().BeNull();
        google.TryGetKey("gemini-prod", out var deleteTime).Should().BeTrue();
        deleteTime.Should().BeNull();
        (await GeminiStatusAsync(google, keyString)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Undelete_After30Days_AnswersFailedPrecondition()
    {
        await using var google = await GoogleApiKeysEmulator.StartAsync(_time);
        google.PendingPolls = 0;
        google.Seed("gemini-prod");
        await SendAsync(google, HttpMethod.Delete, $"v2/{google.Parent}/keys/gemini-prod");
        _time.Advance(TimeSpan.FromDays(31));

        var (status, body) = await SendAsync(google, HttpMethod.Post, $"v2/{google.Parent}/keys/gemini-prod:undelete", "{}");

        status.Should().Be(400);
        body["error"]!["status"]!.GetValue<string>().Should().Be("FAILED_PRECONDITION");
    }

    [Fact]
    public async Task Gemini_UnknownKey_Answers400ApiKeyInvalid()
    {
        await using var google = await GoogleApiKeysEmulator.StartAsync(_time);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(google.GeminiBaseAddress, "v1beta/models"));
        request.Headers.Add("x-goog-api-key", "AIzaNotAKey");

        using var response = await Http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body["error"]!["details"]![0]!["reason"]!.GetValue<string>().Should().Be("API_KEY_INVALID");
    }

    private static async Task<(int Status, JsonNode Body)> SendAsync(GoogleApiKeysEmulator google, HttpMethod method, string path, string? json = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(google.BaseAddress, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? google.AccessToken);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static async Task<HttpStatusCode> GeminiStatusAsync(GoogleApiKeysEmulator google, string keyString)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(google.GeminiBaseAddress, "v1beta/models"));
        request.Headers.Add("x-goog-api-key", keyString);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }
}
