using System.Text.Json;
using IronCage.Providers;

namespace IronCage.AspNetCore.Dashboard.Components;

/// <summary>
/// KeyForm: provider, name, kind, key, organization, schedule. After a refused submission it shows the other fields
/// again, never the key: the key field is always empty (no <c>value</c> attribute).
/// </summary>
internal static class KeyForm
{
    public static void Render(DashboardPage page)
    {
        var html = page.Html;
        var catalog = page.Service<IProviderCatalog>();
        var form = page.Form;
        var error = page.Error;
        var selected = form?["provider"].ToString() is { Length: > 0 } chosen ? chosen : ProviderId.OpenAI.Value;
        html.Raw("<script type=\"application/json\" id=\"key-formats\">").Raw(FormatsJson(catalog)).Raw("</script>");
        html.Raw("<form method=\"post\" id=\"key-form\" class=\"form-grid\" autocomplete=\"off\"").Attr("action", page.Url("/keys")).Raw(">");
        page.AntiforgeryField();

        html.Raw("<div class=\"field\"><label for=\"provider\">Provider</label><select id=\"provider\" name=\"provider\"").Raw(Invalid(error, "provider")).Raw(">");
        foreach (var descriptor in catalog.All.OrderBy(d => d.DisplayName, StringComparer.OrdinalIgnoreCase))
        {
            html.Raw("<option").Attr("value", descriptor.Id.Value);
            if (descriptor.Id.Value == selected)
            {
                html.Raw(" selected");
            }

            html.Raw(">").Text(descriptor.DisplayName).Raw("</option>");
        }

        html.Raw("</select>");
        FieldError(page, "provider");
        html.Raw("</div>");

        TextField(page, "name", "Name", "prod", required: true, help: "Unique per provider; the key is addressed as provider/name.");

        html.Raw("<div class=\"field\"><label for=\"kind\">Kind</label><select id=\"kind\" name=\"kind\">");
        foreach (var kind in new[] { "inference", "admin" })
        {
            html.Raw("<option").Attr("value", kind);
            if (string.Equals(form?["kind"].ToString(), kind, StringComparison.Ordinal))
            {
                html.Raw(" selected");
            }

            html.Raw(">").Text(kind == "admin" ? "Admin key (key management)" : "Inference key (API calls)").Raw("</option>");
        }

        html.Raw("</select></div>");

        // The key: a password field, never pre-filled.
        html.Raw("<div class=\"field wide\"><label for=\"key\">Key</label><input type=\"password\" id=\"key\" name=\"key\" required autocomplete=\"off\" spellcheck=\"false\" autocapitalize=\"off\" aria-describedby=\"key-status\"")
            .Raw(Invalid(error, "key")).Raw(">");
        ValidationStatus.Render(page);
        html.Raw("</div>");

        TextField(page, "organizationId", "Organization (optional)", "org-…", required: false, help: null);
        TextField(page, "scope", "Scope (optional)", "project_id=proj_…", required: false, help: "name=value pairs, comma separated: where the provider creates the replacement (OpenAI: project_id).");
        TextField(page, "providerKeyId", "Provider key id (optional)", "key_…", required: false, help: "The provider's id of this key, so the old key can be revoked after a rotation.");
        TextField(page, "rotationSchedule", "Rotation schedule (optional)", "monthly, quarterly or P90D", required: false, help: "Empty: rotate on demand only.");
        html.Raw("<div class=\"field checkbox\"><input type=\"checkbox\" id=\"verify\" name=\"verify\" value=\"true\"");
        if (form is null || form["verify"].ToString() == "true")
        {
            html.Raw(" checked");
        }

        html.Raw("><label for=\"verify\">Verify at the provider before storing</label></div>")
            .Raw("<div class=\"field submit\"><button type=\"submit\" class=\"button\">Add key</button></div></form>");
    }

    private static void TextField(DashboardPage page, string name, string label, string placeholder, bool required, string? help)
    {
        var html = page.Html;
        var described = new List<string>();
        if (help is not null)
        {
            described.Add(name + "-help");
        }

        if (page.Error?.Field == name)
        {
            described.Add(name + "-error");
        }

        html.Raw("<div class=\"field\"><label").Attr("for", name).Raw(">").Text(label).Raw("</label><input type=\"text\"").Attr("id", name).Attr("name", name).Attr("placeholder", placeholder);
        if (page.Form?[name].ToString() is { Length: > 0 } value)
        {
            html.Attr("value", value);
        }

        if (required)
        {
            html.Raw(" required");
        }

        if (described.Count > 0)
        {
            html.Attr("aria-describedby", string.Join(' ', described));
        }

        html.Raw(Invalid(page.Error, name)).Raw(">");
        if (help is not null)
        {
            html.Raw("<p class=\"hint\"").Attr("id", name + "-help").Raw(">").Text(help).Raw("</p>");
        }

        FieldError(page, name);
        html.Raw("</div>");
    }

    private static void FieldError(DashboardPage page, string field)
    {
        if (page.Error is { } error && error.Field == field && field != "key")
        {
            page.Html.Raw("<p class=\"field-error\"").Attr("id", field + "-error").Raw(">").Text(error.Message).Raw(error.Fix is null ? string.Empty : " ").Text(error.Fix).Raw("</p>");
        }
    }

    private static string Invalid(DashboardError? error, string field) => error?.Field == field ? " aria-invalid=\"true\"" : string.Empty;

    /// <summary>The catalog's key formats for the live check (the default encoder escapes &lt; and &gt;, so the JSON cannot close the script element).</summary>
    private static string FormatsJson(IProviderCatalog catalog)
    {
        var formats = catalog.All.ToDictionary(
            d => d.Id.Value,
            d => new
            {
                name = d.DisplayName,
                formats = d.KeyFormats.Where(f => f.IsStrict).Select(f => new { kind = f.Kind == KeyKind.Admin ? "admin" : "inference", pattern = f.Pattern, prefix = f.Prefix, description = f.Description }).ToArray(),
            },
            StringComparer.Ordinal);
        return JsonSerializer.Serialize(formats);
    }
}
