using System.Net;
using System.Net.Http.Headers;

namespace IronCage.Samples.AdminHost;

/// <summary>
/// The admin host sample: the admin API and the dashboard over the OpenAI emulator. With <c>--serve</c> it keeps
/// serving (open the printed /ironcage address, sign in as alice or bob with password "demo"); with no arguments it
/// checks its own access rules once and exits.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        await using var host = await AdminHost.StartAsync(args);
        output.WriteLine($"dashboard: {host.Address}ironcage (sign in as alice: operator + security, MFA; or bob: operator, password only; password \"{DemoUsers.Password}\")");
        output.WriteLine($"admin API: {host.Address}api/admin (cookie or 'Authorization: Bearer <JWT>')");
        if (args.Contains("--serve"))
        {
            output.WriteLine("Ctrl+C stops");
            var stopping = new TaskCompletionSource();
            using var registration = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());
            await stopping.Task;
            return 0;
        }

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };
        using var dashboard = await http.GetAsync(new Uri("/ironcage", UriKind.Relative));
        output.WriteLine($"GET /ironcage, no session               -> {(int)dashboard.StatusCode} to {dashboard.Headers.Location?.AbsolutePath}");

        using var anonymous = await http.GetAsync(new Uri("/api/admin/api-keys", UriKind.Relative));
        output.WriteLine($"GET /api/admin/api-keys, no token       -> {(int)anonymous.StatusCode}");

        using var list = await SendAsync(http, HttpMethod.Get, "/api/admin/api-keys", host.IssueToken("bob"));
        output.WriteLine($"GET /api/admin/api-keys as bob          -> {(int)list.StatusCode} {await list.Content.ReadAsStringAsync() is var body && body.Contains("\"total\":2", StringComparison.Ordinal)}: 2 keys");

        using var emergency = await SendAsync(http, HttpMethod.Put, "/api/admin/api-keys/openai/prod/rotate?reason=compromised", host.IssueToken("bob"));
        output.WriteLine($"emergency rotate as bob (no MFA)        -> {(int)emergency.StatusCode}");

        using var rotate = await SendAsync(http, HttpMethod.Put, "/api/admin/api-keys/openai/prod/rotate", host.IssueToken("alice"));
        output.WriteLine($"rotate as alice                         -> {(int)rotate.StatusCode}");

        using var audit = await SendAsync(http, HttpMethod.Get, "/api/admin/audit?action=access.denied", host.IssueToken("alice"));
        output.WriteLine($"GET /api/admin/audit as alice           -> {(int)audit.StatusCode}");

        var ok = dashboard.StatusCode == HttpStatusCode.Redirect && anonymous.StatusCode == HttpStatusCode.Unauthorized && list.IsSuccessStatusCode
            && emergency.StatusCode == HttpStatusCode.Forbidden && rotate.IsSuccessStatusCode && audit.IsSuccessStatusCode;
        return ok ? 0 : 1;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}
