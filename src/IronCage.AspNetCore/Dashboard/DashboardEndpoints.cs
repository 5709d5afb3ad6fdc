using System.Text;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Dashboard.Components;
using IronCage.AspNetCore.Internal;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>
/// The dashboard's routes. Every page and every form goes through <see cref="AdminAccessGate"/> (rate limit and
/// <see cref="IronCageAccessEvaluator"/>) and is audited by <see cref="IronCageAccessAuditor"/>; every POST validates
/// an ASP.NET Core antiforgery token.
/// </summary>
internal static class DashboardEndpoints
{
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Map(RouteGroupBuilder group, string prefix)
    {
        group.MapGet("/assets/{file}", DashboardAssets.Serve).ExcludeFromDescription();
        group.MapGet("/", H(http => PageAsync(http, prefix, DashboardOperations.KeysList, KeyManagement.RenderAsync)));
        group.MapGet("/keys/{provider}/{name}", H(http => PageAsync(http, prefix, DashboardOperations.KeysGet, p => KeyDetail.RenderAsync(p, Reference((string)http.Request.RouteValues["provider"]!, (string)http.Request.RouteValues["name"]!)))));
        group.MapGet("/debt", H(http => PageAsync(http, prefix, DashboardOperations.RotationsDebt, RotationDebt.RenderAsync)));
        group.MapGet("/usage", H(http => PageAsync(http, prefix, DashboardOperations.UsageReport, UsageMonitoring.RenderAsync)));
        group.MapGet("/security", H(http => PageAsync(http, prefix, DashboardOperations.SettingsAccess, SecuritySettings.RenderAsync)));
        group.MapGet("/audit", H(http => PageAsync(http, prefix, DashboardOperations.AuditList, p => AuditLogs.RenderAsync(p, null))));
        group.MapGet("/live/rotations", H(http => LiveRotations.StreamAsync(http, prefix)));

        group.MapPost("/keys", H(http => ActionAsync(http, prefix, DashboardOperations.KeysCreate, KeyActionHandlers.CreateAsync, KeyManagement.RenderAsync)));
        MapKeyAction(group, prefix, "rotate", DashboardOperations.KeysRotate, KeyActionHandlers.RotateAsync);
        MapKeyAction(group, prefix, "revoke", DashboardOperations.KeysRevoke, KeyActionHandlers.RevokeAsync);
        MapKeyAction(group, prefix, "kill", DashboardOperations.KeysKill, KeyActionHandlers.KillAsync);
        MapKeyAction(group, prefix, "verify", DashboardOperations.KeysVerify, KeyActionHandlers.VerifyAsync);
        MapKeyAction(group, prefix, "policy", DashboardOperations.KeysPolicy, KeyActionHandlers.PolicyAsync);
        MapKeyAction(group, prefix, "supply", DashboardOperations.KeysSupply, KeyActionHandlers.SupplyAsync);
        MapKeyAction(group, prefix, "limits", DashboardOperations.KeysLimits, LimitsHandlers.LimitsAsync);
        MapKeyAction(group, prefix, "delete", DashboardOperations.KeysDelete, KeyActionHandlers.DeleteAsync);
        MapKeyAction(group, prefix, "resume", DashboardOperations.RotationsResume, KeyActionHandlers.ResumeAsync);
        MapKeyAction(group, prefix, "alerts", DashboardOperations.KeysLimits, LimitsHandlers.AlertsAsync, UsageMonitoring.RenderAsync);
        MapKeyAction(group, prefix, "cancel", DashboardOperations.RotationsCancel, KeyActionHandlers.CancelAsync);
        MapKeyAction(group, prefix, "complete-grace", DashboardOperations.RotationsCompleteGrace, KeyActionHandlers.CompleteGraceAsync);
        group.MapPost("/audit/verify", H(http => ActionAsync(http, prefix, DashboardOperations.AuditVerify, AuditLogs.VerifyAsync, p => AuditLogs.RenderAsync(p, null))));
    }

    /// <summary>A route handler (not a bare RequestDelegate), so the returned result is executed.</summary>
    private static Delegate H(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>The base URL of the dashboard's links: the request's path base and the prefix.</summary>
    public static string BaseOf(HttpContext http, string prefix) => (http.Request.PathBase.Value ?? string.Empty) + prefix.TrimEnd('/');

    public static KeyReference Reference(string provider, string name) => new(new ProviderId(provider), name);

    /// <summary>A 303 to a dashboard page with a notice code (see <see cref="DashboardNotices"/>).</summary>
    public static IResult SeeOther(DashboardPage page, string path, string notice)
    {
        page.Http.Response.Headers.Location = page.Url(path) + (path.Contains('?', StringComparison.Ordinal) ? "&notice=" : "?notice=") + Uri.EscapeDataString(notice);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>The rendered page with the dashboard's security headers.</summary>
    public static IResult Html(DashboardPage page, int status)
    {
        SecurityHeaders(page.Http.Response);
        return Results.Content(page.Html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-store";
    }

    /// <summary>Access decision for a dashboard request; a refusal is audited and answered (sign-in challenge or a page saying why).</summary>
    public static async Task<(AdminAccessDecision Decision, IResult? Refusal)> AuthorizeAsync(HttpContext http, string prefix, AdminOperation operation, string target)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("IronCage.AspNetCore.Dashboard");
        var decision = await AdminAccessGate.DecideAsync(http, operation, logger).ConfigureAwait(false);
        if (decision.Allowed)
        {
            return (decision, null);
        }

        await http.RequestServices.GetRequiredService<IronCageAccessAuditor>().RecordAsync(operation, decision, target, decision.StatusCode, CancellationToken.None).ConfigureAwait(false);
        if (decision.StatusCode == StatusCodes.Status401Unauthorized
            && await http.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>().GetDefaultChallengeSchemeAsync().ConfigureAwait(false) is not null)
        {
            // The host's sign-in (a cookie scheme redirects to its login page and back).
            var back = HttpMethods.IsGet(http.Request.Method) ? http.Request.PathBase + http.Request.Path + http.Request.QueryString : BaseOf(http, prefix) + "/";
            return (decision, Results.Challenge(new AuthenticationProperties { RedirectUri = back }));
        }

        var page = new DashboardPage(http, BaseOf(http, prefix), decision);
        DashboardLayout.Denied(page, decision.Reason, decision.Fix, decision.StatusCode);
        return (decision, Html(page, decision.StatusCode));
    }

    public static string TargetOf(HttpContext http)
    {
        var values = http.Request.RouteValues;
        return values.TryGetValue("provider", out var provider) && values.TryGetValue("name", out var name)
            ? $"{provider}/{name}"
            : http.Request.Path.Value ?? string.Empty;
    }

    /// <summary>A form that acts on one key; a refusal re-renders the key's page, or <paramref name="onError"/>'s page when the form lives elsewhere.</summary>
    private static void MapKeyAction(RouteGroupBuilder group, string prefix, string action, AdminOperation operation, Func<DashboardPage, KeyReference, IFormCollection, Task<IResult>> act, Func<DashboardPage, Task<int>>? onError = null)
        => group.MapPost("/keys/{provider}/{name}/" + action, H(http =>
        {
            var key = Reference((string)http.Request.RouteValues["provider"]!, (string)http.Request.RouteValues["name"]!);
            return ActionAsync(http, prefix, operation, (p, form) => act(p, key, form), onError ?? (p => KeyDetail.RenderAsync(p, key)));
        }));

    private static async Task<IResult> PageAsync(HttpContext http, string prefix, AdminOperation operation, Func<DashboardPage, Task<int>> render)
    {
        var target = TargetOf(http);
        var (decision, refusal) = await AuthorizeAsync(http, prefix, operation, target).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var page = new DashboardPage(http, BaseOf(http, prefix), decision) { Notice = DashboardNotices.For(http.Request.Query["notice"]), NoticeIsWarning = DashboardNotices.IsWarning(http.Request.Query["notice"]) };
        int status;
        try
        {
            status = await render(page).ConfigureAwait(false);
        }
        catch (Exception ex) when (DashboardError.From(ex) is { } error)
        {
            page = new DashboardPage(http, BaseOf(http, prefix), decision);
            DashboardLayout.Failed(page, error);
            status = error.Status;
        }

        await http.RequestServices.GetRequiredService<IronCageAccessAuditor>().RecordAsync(operation, decision, target, status, CancellationToken.None).ConfigureAwait(false);
        return Html(page, status);
    }

    private static async Task<IResult> ActionAsync(HttpContext http, string prefix, AdminOperation operation, Func<DashboardPage, IFormCollection, Task<IResult>> act, Func<DashboardPage, Task<int>> onError)
    {
        var target = TargetOf(http);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false) : FormCollection.Empty;
        var (decision, denied) = await AuthorizeAsync(http, prefix, operation, target).ConfigureAwait(false);
        if (denied is not null)
        {
            return denied;
        }

        var auditor = http.RequestServices.GetRequiredService<IronCageAccessAuditor>();
        http.Items[AdminAccessFilter.DecisionItem] = decision;
        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            var expired = new DashboardPage(http, BaseOf(http, prefix), decision);
            DashboardLayout.Failed(expired, new DashboardError(StatusCodes.Status400BadRequest, "The form could not be verified.", "The form's antiforgery token is missing or does not belong to this session.", Fix: "Reload the page and submit the form again."));
            await auditor.RecordAsync(operation, decision, target, StatusCodes.Status400BadRequest, CancellationToken.None).ConfigureAwait(false);
            return Html(expired, StatusCodes.Status400BadRequest);
        }

        var page = new DashboardPage(http, BaseOf(http, prefix), decision) { Form = form };
        IResult result;
        int status;
        try
        {
            result = await act(page, form).ConfigureAwait(false);
            status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status200OK;
        }
        catch (Exception ex) when (DashboardError.From(ex) is { } error)
        {
            result = new DashboardRefusal(error);
            status = error.Status;
        }

        if (result is DashboardRefusal refusal)
        {
            // Shown where the form was, with the other fields kept (never a key) and the error next to its field.
            status = refusal.Error.Status;
            var failed = new DashboardPage(http, BaseOf(http, prefix), decision) { Form = form, Error = refusal.Error };
            try
            {
                await onError(failed).ConfigureAwait(false);
            }
            catch (Exception again) when (DashboardError.From(again) is not null)
            {
                failed = new DashboardPage(http, BaseOf(http, prefix), decision);
                DashboardLayout.Failed(failed, refusal.Error);
            }

            result = Html(failed, status);
        }

        await auditor.RecordAsync(operation, decision, target, status, CancellationToken.None).ConfigureAwait(false);
        return result;
    }
}
