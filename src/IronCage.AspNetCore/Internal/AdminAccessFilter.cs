using IronCage.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.AspNetCore.Internal;

/// <summary>
/// Runs before every endpoint carrying <see cref="AdminOperation"/>: rate limit, access decision, then the handler with
/// IronCage's exceptions mapped to Problem Details; every attempt is audited with the status it got.
/// </summary>
internal sealed class AdminAccessFilter : IEndpointFilter
{
    public const string DecisionItem = "IronCage.AccessDecision";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var operation = http.GetEndpoint()?.Metadata.GetMetadata<AdminOperation>()
            ?? throw new InvalidOperationException("An IronCage access filter runs on an endpoint without AdminOperation metadata.");
        var services = http.RequestServices;
        var auditor = services.GetRequiredService<IronCageAccessAuditor>();
        var logger = services.GetRequiredService<ILogger<AdminAccessFilter>>();
        var target = TargetOf(http);

        var decision = await AdminAccessGate.DecideAsync(http, operation, logger).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            if (decision.StatusCode == StatusCodes.Status403Forbidden && IronCageAccessEvaluator.NeedsMfa(http, operation) && decision.Reason.Contains("multi-factor", StringComparison.Ordinal))
            {
                // RFC 9470 step-up: tell a bearer client which authentication it lacks.
                http.Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_user_authentication\", error_description=\"Multi-factor authentication is required\"";
            }

            await auditor.RecordAsync(operation, decision, target, decision.StatusCode, CancellationToken.None).ConfigureAwait(false);
            return AdminProblems.Status(decision.StatusCode, decision.StatusCode switch { 401 => "Authentication required.", 429 => "Too many requests.", _ => "Access denied." }, decision.Reason, decision.StatusCode == 429 ? "rate-limited" : "access-denied", new Dictionary<string, object?> { ["operation"] = operation.Name, ["permission"] = operation.Permission, ["fix"] = decision.Fix });
        }

        http.Items[DecisionItem] = decision;
        object? result;
        try
        {
            result = await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (AdminProblems.TryMap(ex, out var problem))
        {
            var errorType = ex.GetType().Name;
            Log.OperationRefused(logger, operation.Name, target, errorType);
            result = problem;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away: the attempt is still on record.
            await auditor.RecordAsync(operation, decision, target, StatusCodes.Status499ClientClosedRequest, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex)
        {
            // Not one of IronCage's own failures (a driver, the network): audited, logged with the exception, and answered
            // without its message, which IronCage did not write.
            Log.OperationFailed(logger, operation.Name, target, ex);
            result = AdminProblems.Status(StatusCodes.Status500InternalServerError, "The operation failed.", $"'{operation.Name}' ended with an unexpected {ex.GetType().Name}; the host's log has the details.", "internal-error");
        }

        if (result is not IStatusCodeHttpResult && http.Response.StatusCode >= StatusCodes.Status400BadRequest)
        {
            // A route or query value that could not be bound (page=abc): ASP.NET Core answers 400 with no body.
            result = AdminProblems.Status(http.Response.StatusCode, "A request value could not be read.", $"A route or query value of '{operation.Name}' does not have its type (a number, true or false, or an instant).", "invalid-request", new Dictionary<string, object?> { ["query"] = string.Join(", ", http.Request.Query.Keys) });
        }

        var status = result switch
        {
            IStatusCodeHttpResult { StatusCode: { } code } => code,
            _ => StatusCodes.Status200OK,
        };
        await auditor.RecordAsync(operation, decision, target, status, CancellationToken.None).ConfigureAwait(false);
        return result;
    }

    private static string TargetOf(HttpContext http)
    {
        var values = http.Request.RouteValues;
        if (values.TryGetValue("provider", out var provider) && values.TryGetValue("name", out var name))
        {
            return $"{provider}/{name}";
        }

        return values.TryGetValue("operationId", out var operationId) ? $"operation:{operationId}" : http.Request.Path.Value ?? string.Empty;
    }
}
