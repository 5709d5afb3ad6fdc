using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using static IronCage.AspNetCore.Tests.AdminTestHost;

namespace IronCage.AspNetCore.Tests;

/// <summary>Every admin route through Microsoft.AspNetCore.Mvc.Testing's <see cref="AdminFactory"/>: the allowed caller gets an answer of the route's shape, an anonymous one a Problem Details 401.</summary>
public sealed class AdminFactoryRouteTests : IClassFixture<AdminFactory>
{
    private readonly AdminFactory _factory;

    public AdminFactoryRouteTests(AdminFactory factory) => _factory = factory;

    public static TheoryData<int> RouteIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < AuthorizationMatrixTests.Routes.Length; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RouteIndexes))]
    public async Task Route_ThroughTheFactory_AnswersTheAllowedCaller_AndRefusesAnonymousWithProblemDetails(int index)
    {
        var route = AuthorizationMatrixTests.Routes[index];
        var name = "f" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SeedAsync(name);
        var path = route.Path.Replace("/openai/matrix", "/openai/" + name, StringComparison.Ordinal);
        using var client = _factory.CreateCapturingClient();

        using var anonymous = await client.SendAsync(Request(route.Method, path, Caller.Anonymous, route.Body is null ? null : JsonContent.Create(route.Body)));
        using var allowed = await client.SendAsync(Request(route.Method, path, Caller.RightRoleMfa, route.Body is null ? null : JsonContent.Create(route.Body)));

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, route.Operation);
        anonymous.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        // The allowed caller gets the route's answer, or a Problem Details about the state it asked in: an unknown
        // operation (rot_x) is 404, a refused key 400, deleting a live key or supplying one with no rotation waiting is 409. A 404 of an
        // unmapped route would carry no Problem Details.
        ((int)allowed.StatusCode).Should().BeLessThan(500, route.Operation);
        if ((int)allowed.StatusCode >= 400)
        {
            allowed.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json", route.Operation);
            // (The matrix's create body is a made-up value, refused by the format check: 400 naming the key field.)
            var expected = route.Path.Contains("rot_x", StringComparison.Ordinal) ? HttpStatusCode.NotFound : route.Operation == "keys.create" ? HttpStatusCode.BadRequest : HttpStatusCode.Conflict;
            allowed.StatusCode.Should().Be(expected, route.Operation);
            if (expected == HttpStatusCode.Conflict)
            {
                route.Operation.Should().BeOneOf("keys.delete", "keys.supply");
            }
        }
    }

    [Fact]
    public async Task List_ThroughTheFactory_HasTheRequirementsShape()
    {
        await SeedAsync("shape");
        using var client = _factory.CreateCapturingClient();

        using var response = await client.SendAsync(Request(HttpMethod.Get, "/api/admin/api-keys?provider=openai&pageSize=500", Caller.RightRoleMfa));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body["total"]!.GetValue<int>().Should().BeGreaterThan(0);
        var key = body["keys"]!.AsArray().Single(k => k!["id"]!.GetValue<string>() == "openai/shape")!;
        foreach (var field in new[] { "id", "provider", "name", "active", "createdAt", "usage" })
        {
            key[field].Should().NotBeNull(field);
        }

        key["usage"]!["current"].Should().NotBeNull();
    }

    private async Task SeedAsync(string name)
    {
        var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var id = _factory.OpenAI.AddExistingKey(secret, "seed-" + name);
        await _factory.Services.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.OpenAI, name), ProviderKeyId = id }, secret);
    }
}
