using System.Text.Json;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Endpoints;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>
/// Rotations in progress, live: a server-sent event stream that sends the re-rendered fragments (rotations in
/// progress; or one key's versions and history) whenever they change, so the page updates without reloading. One
/// stream is one access decision and one audit record, however long it stays open.
/// </summary>
internal static class LiveRotations
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxStream = TimeSpan.FromMinutes(5);

    public static void RenderActive(DashboardPage page, IReadOnlyList<RotationOperation> active)
    {
        page.Html.Raw("<section aria-labelledby=\"active-heading\"").Attr("data-live", page.Url("/live/rotations")).Raw("><h2 id=\"active-heading\">Rotations in progress</h2><div id=\"live-rotations\">");
        ActiveList(page, active);
        page.Html.Raw("</div><p class=\"hint live-state\">Live: this list updates without reloading.</p></section>");
    }

    public static async Task<IResult> StreamAsync(HttpContext http, string prefix)
    {
        var operation = DashboardOperations.KeysRotations;
        KeyReference? key = null;
        if (http.Request.Query["key"].ToString() is { Length: > 0 } text)
        {
            if (!KeyReference.TryParse(text, out var parsed))
            {
                return Results.BadRequest();
            }

            key = parsed;
        }

        var target = key?.ToString() ?? "rotations";
        var (decision, refusal) = await DashboardEndpoints.AuthorizeAsync(http, prefix, operation, target).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        await http.RequestServices.GetRequiredService<IronCageAccessAuditor>().RecordAsync(operation, decision, target, StatusCodes.Status200OK, CancellationToken.None).ConfigureAwait(false);
        DashboardEndpoints.SecurityHeaders(http.Response);
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        stop.CancelAfter(MaxStream);
        string? last = null;
        try
        {
            await http.Response.WriteAsync("retry: 3000\n\n", stop.Token).ConfigureAwait(false);
            while (!stop.IsCancellationRequested)
            {
                var data = await RenderAsync(http, prefix, decision, tokens, key, stop.Token).ConfigureAwait(false);
                if (data != last)
                {
                    await http.Response.WriteAsync("data: " + data + "\n\n", stop.Token).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
                    last = data;
                }

                await Task.Delay(PollInterval, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed, the host stops, or the stream reached its length; the browser reconnects when it needs to.
        }

        return Results.Empty;
    }

    private static async Task<string> RenderAsync(HttpContext http, string prefix, AdminAccessDecision decision, AntiforgeryTokenSet tokens, KeyReference? key, CancellationToken cancellationToken)
    {
        var operations = http.RequestServices.GetRequiredService<IRotationStore>();
        var fragments = new Dictionary<string, string>(StringComparer.Ordinal);
        if (key is null)
        {
            var active = new List<RotationOperation>();
            await foreach (var operation in operations.ListActiveAsync(cancellationToken).ConfigureAwait(false))
            {
                active.Add(operation);
            }

            var page = Page(http, prefix, decision, tokens);
            ActiveList(page, active);
            fragments["live-rotations"] = page.Html.ToString();
        }
        else
        {
            var managed = await http.RequestServices.GetRequiredService<IKeyStore>().GetAsync(key.Value, cancellationToken).ConfigureAwait(false);
            var all = new List<RotationOperation>();
            await foreach (var operation in operations.ListForKeyAsync(key.Value, cancellationToken).ConfigureAwait(false))
            {
                all.Add(operation);
            }

            all.Sort((a, b) => b.RequestedAt.CompareTo(a.RequestedAt));
            var now = http.RequestServices.GetRequiredService<IClock>().GetCurrentInstant();
            var versions = Page(http, prefix, decision, tokens);
            KeyRotation.Versions(versions, AdminViews.Key(managed, AdminViews.Usage(null), now));
            var history = Page(http, prefix, decision, tokens);
            RotationHistory.Render(history, all);
            fragments["key-versions"] = versions.Html.ToString();
            fragments["rotation-history"] = history.Html.ToString();
        }

        return JsonSerializer.Serialize(fragments);
    }

    private static DashboardPage Page(HttpContext http, string prefix, AdminAccessDecision decision, AntiforgeryTokenSet tokens)
        => new(http, DashboardEndpoints.BaseOf(http, prefix), decision) { Tokens = tokens };

    private static void ActiveList(DashboardPage page, IReadOnlyList<RotationOperation> active)
    {
        var html = page.Html;
        if (active.Count == 0)
        {
            html.Raw("<p class=\"empty\">No rotation in progress.</p>");
            return;
        }

        html.Raw("<div class=\"table-wrap\"><table><caption>Unfinished operations</caption><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Operation</th><th scope=\"col\">Step</th><th scope=\"col\">Progress</th><th scope=\"col\">Updated</th></tr></thead><tbody>");
        foreach (var operation in active.OrderBy(o => o.RequestedAt))
        {
            var steps = RotationHistory.StepsOf(operation);
            var index = Math.Max(0, steps.ToList().IndexOf(operation.Step));
            html.Raw("<tr><th scope=\"row\">").Link(page.Url(DashboardPage.KeyPath(operation.Key)), operation.Key.ToString()).Raw("</th>")
                .Cell($"{operation.Kind} ({operation.Reason.ToString().ToLowerInvariant()})")
                .Raw("<td class=\"step-name\">").Text(operation.Step.ToString()).Raw("</td>")
                .Raw("<td><progress").Attr("max", steps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)).Attr("value", (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Attr("aria-label", $"{operation.Key}: step {index + 1} of {steps.Count}").Raw("></progress></td>")
                .Cell(operation.UpdatedAt).Raw("</tr>");
        }

        html.Raw("</tbody></table></div>");
    }
}
