using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace IronCage.Samples.AdminHost;

/// <summary>A minimal sign-in page for the demo users (cookie authentication, antiforgery on the form).</summary>
public static class SignInPage
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/signin", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) => Render(http, antiforgery, returnUrl, error: null));
        app.MapPost("/signin", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            await antiforgery.ValidateRequestAsync(http);
            var form = await http.Request.ReadFormAsync();
            var user = form["user"].ToString();
            var returnUrl = form["returnUrl"].ToString();
            if (!DemoUsers.All.ContainsKey(user) || form["password"] != DemoUsers.Password)
            {
                return Render(http, antiforgery, returnUrl, "Unknown user or wrong password.");
            }

            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new(DemoUsers.Identity(user, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl : "/ironcage");
        }).DisableAntiforgery();
        app.MapPost("/signout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            await antiforgery.ValidateRequestAsync(http);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin");
        }).DisableAntiforgery();
    }

    private static bool IsLocal(string url) => url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    private static IResult Render(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var options = string.Concat(DemoUsers.All.Select(u => $"<option value=\"{u.Key}\">{u.Key} ({string.Join(", ", u.Value.Roles)}{(u.Value.Amr.Contains("mfa") ? ", signed in with MFA" : ", password only")})</option>"));
        var html = $"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sign in · IronCage sample</title>
            <link rel="stylesheet" href="/ironcage/assets/dashboard.css"></head><body><main id="main">
            <h1>Sign in</h1>
            {(error is null ? string.Empty : $"<div class=\"alert\" role=\"alert\">{WebUtility.HtmlEncode(error)}</div>")}
            <form method="post" action="/signin" class="card form-grid">
            <input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">
            <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl ?? "/ironcage")}">
            <div class="field"><label for="user">User</label><select id="user" name="user">{options}</select></div>
            <div class="field"><label for="password">Password</label><input type="password" id="password" name="password" required autocomplete="current-password"></div>
            <div class="field submit"><button type="submit" class="button">Sign in</button></div>
            </form><p class="hint">Demo users: alice and bob, password "{DemoUsers.Password}".</p></main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
