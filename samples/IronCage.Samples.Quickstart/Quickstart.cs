using System.Globalization;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Providers;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using IronCage.Usage;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Samples.Quickstart;

/// <summary>
/// The IronCage walkthrough: register an OpenAI key, verify it, send requests with it, rotate it, watch both keys work
/// through the grace period, see the old one rejected afterwards, and read the audit trail. It runs against a loopback
/// emulator of OpenAI's key API, with an SQLite store in a temporary folder, so it needs nothing configured and never
/// touches the network.
/// </summary>
public static class Quickstart
{
    private static readonly KeyReference Prod = KeyReference.Parse("openai/prod");

    /// <summary>Runs the walkthrough and writes it to <paramref name="output"/>.</summary>
    /// <param name="args">
    /// Command-line arguments: <c>--keep</c> keeps the SQLite file; <c>--real --confirm</c> runs against the real OpenAI
    /// API with <c>OPENAI_ADMIN_KEY</c>, <c>OPENAI_PROJECT_ID</c> and <c>OPENAI_API_KEY</c> (the project key to rotate:
    /// it is deleted at the end of the grace period) and optionally <c>OPENAI_BASE_URL</c>.
    /// </param>
    /// <param name="output">Where the walkthrough is written.</param>
    /// <returns>The process exit code: 0 when every step did what it should.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var folder = Path.Combine(Path.GetTempPath(), "ironcage-quickstart-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            if (!args.Contains("--real", StringComparer.Ordinal))
            {
                await using var emulator = await ProviderEmulator.StartAsync().ConfigureAwait(false);
                var seeded = emulator.OpenAI.AddProjectKey("prod");
                await RunStepsAsync(output, folder, new Target(emulator.OpenAI.BaseAddress, emulator.OpenAI.AdminKey, EmulatorConstants.OpenAIProjectId, seeded.Secret, seeded.Id, "emulator")).ConfigureAwait(false);
                return 0;
            }

            if (RealTarget(args, output) is not { } real)
            {
                return 2;
            }

            await RunStepsAsync(output, folder, real).ConfigureAwait(false);
            return 0;
        }
        catch (Exception exception) when (exception is IronCageException or HttpRequestException or InvalidOperationException)
        {
            // A walkthrough prints what went wrong, not a stack trace.
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"The quickstart stopped: {exception.GetType().Name}: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
        finally
        {
            if (!args.Contains("--keep", StringComparer.Ordinal))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                TryDelete(folder);
            }
        }
    }

    private static async Task RunStepsAsync(TextWriter output, string folder, Target target)
    {
        var o = new Output(output);
        o.Title("IronCage quickstart");
        o.Line(target.Label == "emulator"
            ? "A local emulator plays OpenAI's key API; keys live encrypted in an SQLite file."
            : "Against the real OpenAI API; keys live encrypted in an SQLite file.");
        o.Line();
        o.Line("!! DEMO ONLY: this run's master key was generated at start-up and is thrown away at the end.");
        o.Line("!! A real host loads its master key from configuration, a file or a secret store");
        o.Line("!! (ProtectKeysWithMasterKey / ProtectKeysWithMasterKeyFile), and never generates one at start-up.");

        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        var started = clock.GetCurrentInstant();
        var database = Path.Combine(folder, "ironcage.db");

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IClock>(clock);
        services.AddIronCage(options => options.DefaultGracePeriod = Duration.FromHours(24))
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .PersistToSqlite($"Data Source={database}")
            .AddOpenAI("openai", openAI =>
            {
                openAI.BaseAddress = target.BaseAddress;
                openAI.AdminKey = target.AdminKey;
            })
            .AddRotation()
            .AddRotationScheduler()
            .AddKeyResolver()
            .AddUsageTracking();
        services.AddHttpClient("openai", client => client.BaseAddress = target.BaseAddress)
            .AddIronCageKey("openai/prod");
        await using var provider = services.BuildServiceProvider();

        var rotator = provider.GetRequiredService<IKeyRotator>();
        var keys = provider.GetRequiredService<IKeyStore>();
        var adapter = provider.GetServices<IProviderAdapter>().Single(a => a.Provider == ProviderId.OpenAI);
        var chat = provider.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        o.Line();
        o.Line($"store   {database}");
        o.Line($"openai  {target.BaseAddress} ({target.Label})");

        // 1. A key someone created in the OpenAI console, handed to IronCage.
        o.Step(1, "Register the key your app uses today");
        using (var secret = SecretValue.FromString(target.ExistingKey))
        {
            await rotator.RegisterAsync(
                new KeyRegistration
                {
                    Reference = Prod,
                    Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = target.ProjectId },
                    ProviderKeyId = target.ExistingKeyId,
                },
                secret).ConfigureAwait(false);
        }

        await o.VersionsAsync(keys).ConfigureAwait(false);
        o.Line("The value was checked against OpenAI's key format, verified with GET /v1/models, then sealed");
        o.Line("(AES-256-GCM under a per-secret data key): the database holds ciphertext and a hint only.");

        // 2. Requests carry the current key; the app never sees it.
        o.Step(2, "Send a request through AddHttpClient(...).AddIronCageKey(\"openai/prod\")");
        await o.ChatAsync(chat, provider).ConfigureAwait(false);

        // 3. Rotate: a new key is minted, verified and promoted; the old one keeps working for the grace period.
        o.Step(3, "Rotate");
        var operation = await rotator.RotateAsync(Prod, RotationReason.Manual).ConfigureAwait(false);
        o.Line($"operation {operation.OperationId}: {operation.Step}{(operation.LastError is null ? string.Empty : " — " + operation.LastError)}");
        if (operation.Step != RotationStep.GracePeriod)
        {
            throw new InvalidOperationException($"The rotation stopped at {operation.Step}: {operation.LastError}");
        }

        await o.VersionsAsync(keys).ConfigureAwait(false);
        var rotated = await keys.GetAsync(Prod).ConfigureAwait(false);
        using var fresh = await OpenAsync(provider, rotated.CurrentVersion!).ConfigureAwait(false);
        using var old = SecretValue.FromString(target.ExistingKey);
        o.Line("During the grace period both keys work at the provider:");
        await o.VerifyAsync(adapter, rotated, "new", fresh).ConfigureAwait(false);
        await o.VerifyAsync(adapter, rotated, "old", old).ConfigureAwait(false);
        await o.ChatAsync(chat, provider).ConfigureAwait(false);

        // 4. Time passes; the scheduler ends the grace period and deletes the old key at the provider.
        o.Step(4, "24 hours later: the scheduler ends the grace period");
        clock.AdvanceHours(24);
        var run = await provider.GetRequiredService<RotationScheduler>().RunDueAsync(clock.GetCurrentInstant()).ConfigureAwait(false);
        o.Line($"scheduler pass: {run}");
        await o.VersionsAsync(keys).ConfigureAwait(false);
        var newVerdict = await o.VerifyAsync(adapter, rotated, "new", fresh).ConfigureAwait(false);
        var oldVerdict = await o.VerifyAsync(adapter, rotated, "old", old).ConfigureAwait(false);
        if (!newVerdict.IsValid || oldVerdict.ErrorKind != ProviderErrorKind.InvalidKey)
        {
            throw new InvalidOperationException("After the grace period the new key should pass and the old one should be rejected.");
        }

        o.Line("The old key is rejected by the provider: a leaked copy of it is now worthless.");

        // 5. Usage: every response's token counts were recorded and priced from the model's price entry.
        o.Step(5, "Usage and cost");
        await provider.GetRequiredService<IUsageRecorder>().FlushAsync().ConfigureAwait(false);
        var usage = provider.GetRequiredService<IUsageQuery>();
        var report = await usage.GetReportAsync(started - Duration.FromDays(1), clock.GetCurrentInstant() + Duration.FromMinutes(1), UsageWindow.Day, Prod, byModel: true).ConfigureAwait(false);
        o.Line($"{"day (UTC)",-12}  {"model",-14}  {"requests",8}  {"tokens in",9}  {"tokens out",10}  cost ({report.Currency})");
        foreach (var row in report.Rows)
        {
            o.Line(string.Create(CultureInfo.InvariantCulture, $"{row.WindowStart.InUtc().Date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture),-12}  {row.Model ?? "(unknown)",-14}  {row.Requests,8}  {row.InputTokens,9}  {row.OutputTokens,10}  {row.Cost:0.000000}"));
        }

        o.Line(string.Create(CultureInfo.InvariantCulture, $"total: {report.TotalRequests} requests, {report.TotalCost:0.000000} {report.Currency} (prices: catalog {report.PriceCatalogVersion}; override them with your contract prices)"));
        if (report.TotalRequests == 0)
        {
            throw new InvalidOperationException("No usage was recorded.");
        }

        // 6. Everything above is in the tamper-evident audit trail.
        o.Step(6, "Audit trail");
        var audit = provider.GetRequiredService<IAuditLog>();
        o.Row("#", "action", "target", "outcome", "reason");
        await foreach (var record in audit.ReadAsync().ConfigureAwait(false))
        {
            o.Row(record.Sequence.ToString(CultureInfo.InvariantCulture), record.Event.Action.ToString(), record.Event.Target, record.Event.Outcome.ToString(), record.Event.Reason ?? string.Empty);
        }

        var verification = await audit.VerifyAsync().ConfigureAwait(false);
        o.Line($"hash chain: {(verification.IsValid ? "verified" : "BROKEN")} ({verification.RecordsChecked} records) — {verification.Message}");
        if (!verification.IsValid)
        {
            throw new InvalidOperationException("The audit chain did not verify.");
        }

        o.Title("Done");
        o.Line("Next: docs/getting-started.md, and samples/ for a scheduler host, an ASP.NET Core API and the OpenAI SDK.");
    }

    // Real mode: everything from the environment, and an explicit confirmation, because the key it rotates is deleted.
    private static Target? RealTarget(string[] args, TextWriter output)
    {
        var admin = Environment.GetEnvironmentVariable("OPENAI_ADMIN_KEY");
        var project = Environment.GetEnvironmentVariable("OPENAI_PROJECT_ID");
        var key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        var missing = new[] { ("OPENAI_ADMIN_KEY", admin), ("OPENAI_PROJECT_ID", project), ("OPENAI_API_KEY", key) }.Where(v => string.IsNullOrWhiteSpace(v.Item2)).Select(v => v.Item1).ToList();
        if (missing.Count > 0)
        {
            output.WriteLine($"--real needs {string.Join(", ", missing)} in the environment (an admin key, the project id, and the project key to rotate).");
            return null;
        }

        if (!args.Contains("--confirm", StringComparer.Ordinal))
        {
            output.WriteLine("--real rotates OPENAI_API_KEY at OpenAI: a new service-account key is created and the old key is deleted when the");
            output.WriteLine("grace period ends (the demo's clock jumps 24 h). Run again with --real --confirm to go ahead.");
            return null;
        }

        var baseUrl = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");
        return new Target(new Uri(string.IsNullOrWhiteSpace(baseUrl) ? "https://api.openai.com/v1/" : baseUrl.TrimEnd('/') + "/"), admin!, project!, key!, null, "OpenAI");
    }

    private static async Task<SecretValue> OpenAsync(IServiceProvider provider, KeyVersion version)
        => await provider.GetRequiredService<ISecretProtector>().OpenAsync(version.Secret, new SecretBinding(Prod, version.VersionId)).ConfigureAwait(false);

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless; the OS cleans it up.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    /// <summary>Where the walkthrough runs: the emulator, or the real provider.</summary>
    private sealed record Target(Uri BaseAddress, string AdminKey, string ProjectId, string ExistingKey, string? ExistingKeyId, string Label);

    /// <summary>Writes the walkthrough: titles, numbered steps, rows of a table.</summary>
    private sealed class Output(TextWriter writer)
    {
        public void Title(string text)
        {
            writer.WriteLine();
            writer.WriteLine(text);
            writer.WriteLine(new string('=', text.Length));
        }

        public void Step(int number, string text)
        {
            writer.WriteLine();
            var heading = $"{number}. {text}";
            writer.WriteLine(heading);
            writer.WriteLine(new string('-', heading.Length));
        }

        public void Line(string text = "") => writer.WriteLine(text);

        public void Row(params string[] cells)
        {
            int[] widths = [4, 20, 16, 10, 0];
            writer.WriteLine(string.Join("  ", cells.Select((c, i) => i < widths.Length && widths[i] > 0 ? c.PadRight(widths[i]) : c)).TrimEnd());
        }

        public async Task VersionsAsync(IKeyStore keys)
        {
            var key = await keys.GetAsync(Prod).ConfigureAwait(false);
            writer.WriteLine($"{"version",-36}  {"stage",-9}  {"hint",-14}  provider id");
            foreach (var version in key.Versions.OrderBy(v => v.CreatedAt))
            {
                writer.WriteLine($"{version.VersionId,-36}  {version.Stage,-9}  {version.DisplayHint,-14}  {version.ProviderKeyId}");
            }
        }

        public async Task<KeyVerificationResult> VerifyAsync(IProviderAdapter adapter, ManagedKey key, string label, SecretValue secret)
        {
            var result = await adapter.VerifyAsync(ProviderKeyContext.For(key), secret).ConfigureAwait(false);
            var verdict = result.IsValid ? "valid" : $"rejected ({result.ErrorKind}, HTTP {result.StatusCode})";
            writer.WriteLine($"  {label} key {secret.DisplayHint,-14} {verdict}");
            return result;
        }

        public async Task ChatAsync(HttpClient chat, IServiceProvider provider)
        {
            using var request = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}]}""", System.Text.Encoding.UTF8, "application/json");
            using var response = await chat.PostAsync(new Uri("chat/completions", UriKind.Relative), request).ConfigureAwait(false);
            var used = await provider.GetRequiredService<IKeyResolver>().ResolveAsync(Prod).ConfigureAwait(false);
            writer.WriteLine($"POST chat/completions → HTTP {(int)response.StatusCode}, sent with {used.DisplayHint} (version {used.VersionId})");
            response.EnsureSuccessStatusCode();
        }
    }
}
