using System.Text.Json;
using IronCage.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Endpoints;

/// <summary>Reads request bodies with the API's JSON options; a missing or malformed body is a <see cref="JsonException"/> (400).</summary>
internal static class AdminBodies
{
    public static async Task<T> ReadAsync<T>(HttpContext http)
        where T : class
        => await ReadOptionalAsync<T>(http).ConfigureAwait(false) ?? throw new JsonException("The request needs a JSON body.");

    public static async Task<T?> ReadOptionalAsync<T>(HttpContext http)
        where T : class
    {
        if (http.Request.ContentLength is 0 || (http.Request.ContentLength is null && !http.Request.HasJsonContentType()))
        {
            return null;
        }

        if (!http.Request.HasJsonContentType())
        {
            // Only JSON is read: a body a browser form can send cross-site (text/plain, form data) is never taken for one.
            throw new JsonException($"The request body is '{http.Request.ContentType ?? "(no Content-Type)"}'; send it as application/json.");
        }

        return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, AdminJson.Options, http.RequestAborted).ConfigureAwait(false);
    }

    public static KeyReference Reference(string provider, string name) => new(new ProviderId(provider), name);
}
