using IronCage.Auditing;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>AuditLogs: the audit log, newest first, searchable (text, action, outcome), with a "verify chain" action.</summary>
internal static class AuditLogs
{
    private const int Shown = 200;

    public static async Task<int> RenderAsync(DashboardPage page, AuditVerificationResult? verification)
    {
        var query = page.Http.Request.Query;
        var text = query["q"].ToString().Trim();
        var action = query["action"].ToString().Trim();
        var outcome = query["outcome"].ToString().Trim();
        var matched = new Queue<AuditRecord>();
        var total = 0L;
        var actions = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var record in page.Service<IAuditLog>().ReadAsync(1, page.Aborted).ConfigureAwait(false))
        {
            total++;
            var e = record.Event;
            actions.Add(e.Action.Value);
            if ((action.Length == 0 || e.Action.Value == action)
                && (outcome.Length == 0 || string.Equals(e.Outcome.ToString(), outcome, StringComparison.OrdinalIgnoreCase))
                && (text.Length == 0 || Contains(e, text)))
            {
                matched.Enqueue(record);
                if (matched.Count > Shown)
                {
                    matched.Dequeue();
                }
            }
        }

        var html = page.Html;
        DashboardLayout.Begin(page, "Audit log", "audit");
        html.Raw("<h1>Audit log</h1>");
        html.Raw("<section aria-labelledby=\"verify-heading\" class=\"card\"><h2 id=\"verify-heading\">Chain verification</h2><p class=\"hint\">Every record carries the hash of the one before it; verifying recomputes the chain and reports the first record that does not match.</p>");
        if (verification is not null)
        {
            html.Raw("<p id=\"verify-result\" role=\"status\"").Attr("class", verification.IsValid ? "notice" : "alert").Raw(">").Text(verification.IsValid ? "Chain valid: " : "Chain BROKEN: ").Text(verification.Message)
                .Text($" ({verification.RecordsChecked} records checked)").Raw("</p>");
        }

        page.ButtonForm("/audit/verify", "Verify chain", "button");
        html.Raw("</section>");

        html.Raw("<section aria-labelledby=\"search-heading\"><h2 id=\"search-heading\">Search</h2><form method=\"get\" class=\"form-inline\" role=\"search\"").Attr("action", page.Url("/audit")).Raw(">")
            .Raw("<label for=\"q\">Text</label><input type=\"search\" id=\"q\" name=\"q\" placeholder=\"actor, key, reason or address\"").Attr("value", text).Raw(">")
            .Raw("<label for=\"action\">Action</label><select id=\"action\" name=\"action\"><option value=\"\">any</option>");
        foreach (var name in actions)
        {
            html.Raw("<option").Attr("value", name);
            if (name == action)
            {
                html.Raw(" selected");
            }

            html.Raw(">").Text(name).Raw("</option>");
        }

        html.Raw("</select><label for=\"outcome\">Outcome</label><select id=\"outcome\" name=\"outcome\"><option value=\"\">any</option>");
        foreach (var name in new[] { "Success", "Failure" })
        {
            html.Raw("<option").Attr("value", name);
            if (string.Equals(name, outcome, StringComparison.OrdinalIgnoreCase))
            {
                html.Raw(" selected");
            }

            html.Raw(">").Text(name.ToLowerInvariant()).Raw("</option>");
        }

        html.Raw("</select><button type=\"submit\" class=\"button secondary\">Search</button></form></section>");
        html.Raw("<div class=\"table-wrap\"><table id=\"audit-log\"><caption>").Text($"{matched.Count} of {total} records, newest first{(matched.Count == Shown ? $" (the latest {Shown} matches)" : string.Empty)}").Raw("</caption>")
            .Raw("<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Time</th><th scope=\"col\">Actor</th><th scope=\"col\">Action</th><th scope=\"col\">Target</th><th scope=\"col\">Address</th><th scope=\"col\">Outcome</th><th scope=\"col\">Reason / details</th></tr></thead><tbody>");
        foreach (var record in matched.Reverse())
        {
            var e = record.Event;
            html.Raw("<tr><td class=\"num\">").Text(record.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)).Raw("</td>").Cell(e.Timestamp)
                .Cell(e.Actor).Raw("<td><code>").Text(e.Action.Value).Raw("</code></td>").Cell(e.Target).Cell(e.IpAddress ?? "—")
                .Raw("<td>").Raw(e.Outcome == AuditOutcome.Success ? "<span class=\"badge ok\">success</span>" : "<span class=\"badge bad\">failure</span>").Raw("</td>")
                .Cell(string.Join("; ", new[] { e.Reason }.Concat(e.Details.Select(d => $"{d.Key}={d.Value}")).Where(s => !string.IsNullOrEmpty(s))), "details").Raw("</tr>");
        }

        html.Raw("</tbody></table></div>");
        DashboardLayout.End(page);
        return 200;
    }

    public static async Task<IResult> VerifyAsync(DashboardPage page, IFormCollection form)
    {
        var result = await page.Service<IAuditLog>().VerifyAsync(cancellationToken: page.Aborted).ConfigureAwait(false);
        var status = await RenderAsync(page, result).ConfigureAwait(false);
        return DashboardEndpoints.Html(page, status);
    }

    private static bool Contains(AuditEvent e, string text)
        => e.Actor.Contains(text, StringComparison.OrdinalIgnoreCase) || e.Target.Contains(text, StringComparison.OrdinalIgnoreCase)
            || (e.Reason?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false) || (e.IpAddress?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false)
            || e.Action.Value.Contains(text, StringComparison.OrdinalIgnoreCase);
}
