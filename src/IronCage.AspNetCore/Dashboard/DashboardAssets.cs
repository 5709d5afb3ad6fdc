using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>The stylesheet and script, embedded in the assembly: the dashboard needs no CDN and no internet.</summary>
internal static class DashboardAssets
{
    private static readonly Dictionary<string, (byte[] Content, string Type)> Files = Load();

    public static IResult Serve(HttpContext http, string file)
    {
        if (!Files.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }

        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Bytes(asset.Content, asset.Type);
    }

    private static Dictionary<string, (byte[] Content, string Type)> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        return new Dictionary<string, (byte[] Content, string Type)>(StringComparer.Ordinal)
        {
            ["dashboard.css"] = (Read(assembly, "dashboard.css"), "text/css; charset=utf-8"),
            ["dashboard.js"] = (Read(assembly, "dashboard.js"), "text/javascript; charset=utf-8"),
        };
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream("IronCage.AspNetCore.Dashboard.Assets." + name)
            ?? throw new InvalidOperationException($"The dashboard asset '{name}' is not embedded in {assembly.GetName().Name}; the package is damaged.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
