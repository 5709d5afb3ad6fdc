using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IronCage.AspNetCore.Authorization;

/// <summary>
/// Decides whether a request may perform an <see cref="AdminOperation"/>: read-only mode, the permission's IP
/// allow-list, the host's authorization policy for the permission (or for <see cref="AdminPermissions.Admin"/>), and
/// MFA step-up. With no policy configured for the permission or for <c>admin</c>, only loopback callers are answered
/// (the secure default). Used by the admin API's endpoint filter and by anything else on the operator surface.
/// </summary>
public sealed class IronCageAccessEvaluator
{
    private readonly IAuthorizationPolicyProvider _policies;
    private readonly IPolicyEvaluator _evaluator;
    private readonly AdminAccessOptions _options;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="policies">The host's authorization policies.</param>
    /// <param name="evaluator">Authenticates with the policy's schemes and evaluates it.</param>
    /// <param name="options">The access options.</param>
    public IronCageAccessEvaluator(IAuthorizationPolicyProvider policies, IPolicyEvaluator evaluator, IOptions<AdminAccessOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _policies = policies;
        _evaluator = evaluator;
        _options = options.Value;
    }

    /// <summary>Decides one request.</summary>
    /// <param name="context">The request.</param>
    /// <param name="operation">What it asks for.</param>
    /// <returns>The decision; the caller audits it (<see cref="IronCageAccessAuditor"/>) and answers a refusal.</returns>
    public async Task<AdminAccessDecision> EvaluateAsync(HttpContext context, AdminOperation operation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(operation);
        var address = context.Connection.RemoteIpAddress;
        var ip = address?.ToString();
        if (_options.ReadOnly && operation.IsWrite)
        {
            return Deny(StatusCodes.Status403Forbidden, ActorOf(context.User), ip, $"The IronCage admin surface is read-only; '{operation.Name}' changes keys.", "Turn off AdminAccessOptions.ReadOnly to allow changes.");
        }

        if (_options.AllowedNetworks.TryGetValue(operation.Permission, out var networks) && networks.Count > 0 && (address is null || !networks.Any(n => n.Contains(Normalize(address)))))
        {
            return Deny(StatusCodes.Status403Forbidden, ActorOf(context.User), ip, $"The client address {ip ?? "(none)"} is not allowed for '{operation.Permission}'.", $"Call from a network listed in AdminAccessOptions.AllowedNetworks[\"{operation.Permission}\"]; behind a proxy, configure the host's ForwardedHeaders so RemoteIpAddress is the client's.");
        }

        var permissionPolicy = await _policies.GetPolicyAsync(operation.Permission).ConfigureAwait(false);
        var adminPolicy = operation.Permission == AdminPermissions.Admin ? null : await _policies.GetPolicyAsync(AdminPermissions.Admin).ConfigureAwait(false);
        if (permissionPolicy is null && adminPolicy is null)
        {
            // The loopback default holds only while no IronCage policy at all is configured: a host that maps some
            // permissions and forgets one gets that one closed, not open to every local caller.
            if (await AnyPolicyConfiguredAsync().ConfigureAwait(false))
            {
                return Deny(StatusCodes.Status403Forbidden, ActorOf(context.User), ip, $"No authorization policy is configured for '{operation.Permission}' while others are, so '{operation.Name}' is closed.", $"Register an authorization policy named '{operation.Permission}' (or '{AdminPermissions.Admin}' for everything): services.AddAuthorization(o => o.AddPolicy(AdminPermissions.{Pascal(operation.Permission)}, p => p.RequireRole(\"...\"))).");
            }

            return address is not null && IPAddress.IsLoopback(address)
                ? new AdminAccessDecision { Allowed = true, StatusCode = StatusCodes.Status200OK, Actor = ActorOf(context.User, "local"), IpAddress = ip, Reason = "loopback caller; no authorization policy is configured (secure default)", IsLoopbackDefault = true }
                : Deny(StatusCodes.Status403Forbidden, ActorOf(context.User), ip, $"No authorization policy is configured for '{operation.Permission}', so IronCage answers only loopback requests.", $"Register an authorization policy named '{operation.Permission}' (or '{AdminPermissions.Admin}' for everything): services.AddAuthorization(o => o.AddPolicy(AdminPermissions.{Pascal(operation.Permission)}, p => p.RequireRole(\"...\"))).");
        }

        ClaimsPrincipal? user = null;
        var authenticated = false;
        foreach (var policy in new[] { permissionPolicy, adminPolicy })
        {
            if (policy is null)
            {
                continue;
            }

            var authentication = await _evaluator.AuthenticateAsync(policy, context).ConfigureAwait(false);
            authenticated |= authentication.Succeeded;
            var result = await _evaluator.AuthorizeAsync(policy, authentication, context, operation).ConfigureAwait(false);
            if (result.Succeeded)
            {
                user = context.User;
                break;
            }
        }

        var actor = ActorOf(context.User);
        if (user is null)
        {
            return authenticated || context.User.Identity?.IsAuthenticated == true
                ? Deny(StatusCodes.Status403Forbidden, actor, ip, $"{actor} does not hold the permission '{operation.Permission}'.", $"Ask an administrator for a role or claim that satisfies the '{operation.Permission}' policy.")
                : Deny(StatusCodes.Status401Unauthorized, actor, ip, $"'{operation.Name}' needs an authenticated caller with the permission '{operation.Permission}'.", "Sign in, or send the bearer token the host's authentication accepts.");
        }

        if (NeedsMfa(context, operation) && !HasMfa(user))
        {
            return Deny(StatusCodes.Status403Forbidden, actor, ip, $"'{operation.Name}' is sensitive and needs multi-factor authentication; the caller's '{_options.MfaClaimType}' claim shows none.", $"Sign in again with a second factor (a '{_options.MfaClaimType}' claim of {string.Join(", ", _options.MfaClaimValues.Order(StringComparer.Ordinal))}).");
        }

        return new AdminAccessDecision { Allowed = true, StatusCode = StatusCodes.Status200OK, Actor = actor, IpAddress = ip, Reason = $"holds '{operation.Permission}'" };
    }

    private async Task<bool> AnyPolicyConfiguredAsync()
    {
        foreach (var permission in AdminPermissions.All)
        {
            if (await _policies.GetPolicyAsync(permission).ConfigureAwait(false) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a request to <paramref name="operation"/> needs MFA step-up.</summary>
    /// <param name="context">The request.</param>
    /// <param name="operation">The operation.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool NeedsMfa(HttpContext context, AdminOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return operation.RequiresMfa || operation.RequiresMfaWhen?.Invoke(context) == true;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static string Pascal(string permission) => permission switch
    {
        AdminPermissions.KeysRead => nameof(AdminPermissions.KeysRead),
        AdminPermissions.KeysCreate => nameof(AdminPermissions.KeysCreate),
        AdminPermissions.KeysRotate => nameof(AdminPermissions.KeysRotate),
        AdminPermissions.KeysRevoke => nameof(AdminPermissions.KeysRevoke),
        AdminPermissions.KeysLimits => nameof(AdminPermissions.KeysLimits),
        AdminPermissions.AuditRead => nameof(AdminPermissions.AuditRead),
        _ => nameof(AdminPermissions.Admin),
    };

    private static string ActorOf(ClaimsPrincipal? user, string fallback = "anonymous")
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return fallback;
        }

        return user.Identity.Name ?? user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "authenticated";
    }

    private static AdminAccessDecision Deny(int status, string actor, string? ip, string reason, string fix)
        => new() { Allowed = false, StatusCode = status, Actor = actor, IpAddress = ip, Reason = reason, Fix = fix };

    private bool HasMfa(ClaimsPrincipal user)
        => user.FindAll(_options.MfaClaimType).Any(c => _options.MfaClaimValues.Contains(c.Value));
}
