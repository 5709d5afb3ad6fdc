using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>A form action's refusal: the dashboard renders the form's page again with <see cref="Error"/>; never executed as a result.</summary>
internal sealed class DashboardRefusal : IResult
{
    public DashboardRefusal(DashboardError error) => Error = error;

    public DashboardError Error { get; }

    public Task ExecuteAsync(HttpContext httpContext) => throw new InvalidOperationException("A dashboard refusal is rendered as the form's page, not executed.");
}
