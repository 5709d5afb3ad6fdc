namespace IronCage.AspNetCore.Authorization;

/// <summary>
/// Endpoint metadata: which operation an endpoint performs, the permission it needs, whether it needs MFA step-up and
/// whether it changes anything. Put on any endpoint (an admin route, a dashboard form post) with
/// <see cref="Microsoft.AspNetCore.Builder.IronCageEndpointConventionBuilderExtensions.RequireIronCagePermission{TBuilder}"/>.
/// </summary>
public sealed record AdminOperation
{
    /// <summary>Gets the operation's name, as audited (for example <c>keys.rotate</c> or <c>keys.list</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the permission it needs (one of <see cref="AdminPermissions"/>).</summary>
    public required string Permission { get; init; }

    /// <summary>Gets a value indicating whether the operation always needs MFA step-up.</summary>
    public bool RequiresMfa { get; init; }

    /// <summary>Gets a test that decides MFA step-up per request (an emergency rotation needs it, a routine one does not); used when <see cref="RequiresMfa"/> is <see langword="false"/>.</summary>
    public Func<Microsoft.AspNetCore.Http.HttpContext, bool>? RequiresMfaWhen { get; init; }

    /// <summary>Gets a value indicating whether the operation changes anything (refused in read-only mode).</summary>
    public bool IsWrite { get; init; }
}
