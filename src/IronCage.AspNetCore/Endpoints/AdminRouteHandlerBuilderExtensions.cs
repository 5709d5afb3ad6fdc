using IronCage.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Endpoints;

/// <summary>One call per admin route: its operation (permission, MFA, write), the access filter, and its OpenAPI name, summary and problem responses.</summary>
internal static class AdminRouteHandlerBuilderExtensions
{
    public static RouteHandlerBuilder Admin(this RouteHandlerBuilder builder, string name, string permission, string summary, string description, bool write = false, bool mfa = false, Func<HttpContext, bool>? mfaWhen = null)
    {
        builder.RequireIronCagePermission(new AdminOperation { Name = name, Permission = permission, IsWrite = write, RequiresMfa = mfa, RequiresMfaWhen = mfaWhen })
            .WithName("IronCage." + name)
            .WithSummary(summary)
            .WithDescription($"{description} Permission: {permission}{(mfa ? ", with MFA step-up" : mfaWhen is not null ? ", with MFA step-up for emergencies" : string.Empty)}.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        if (name.StartsWith("keys.", StringComparison.Ordinal) && name != "keys.list" && name != "keys.create")
        {
            builder.ProducesProblem(StatusCodes.Status404NotFound);
        }

        if (write)
        {
            builder.ProducesProblem(StatusCodes.Status409Conflict);
        }

        return builder;
    }
}
