using System.Security.Claims;

namespace IronCage.Samples.AdminHost;

/// <summary>The sample's two demo users. alice is an operator and a security officer who signed in with a second factor (<c>amr</c> = mfa); bob is an operator with a password only, so sensitive operations ask him for MFA.</summary>
public static class DemoUsers
{
    /// <summary>The demo password of both users (a sample, not a way to store passwords).</summary>
    public const string Password = "demo";

    public const string OperatorRole = "operator";

    public const string SecurityRole = "security";

    public static IReadOnlyDictionary<string, (string[] Roles, string[] Amr)> All { get; } = new Dictionary<string, (string[] Roles, string[] Amr)>(StringComparer.Ordinal)
    {
        ["alice"] = ([OperatorRole, SecurityRole], ["pwd", "mfa"]),
        ["bob"] = ([OperatorRole], ["pwd"]),
    };

    public static ClaimsIdentity Identity(string user, string authenticationType)
    {
        var (roles, amr) = All[user];
        var claims = new List<Claim> { new(ClaimTypes.Name, user) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(amr.Select(a => new Claim("amr", a)));
        return new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role);
    }
}
