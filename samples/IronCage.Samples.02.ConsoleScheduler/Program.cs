using IronCage.Encryption;
using IronCage.Notifications;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Samples.ConsoleScheduler;

/// <summary>
/// A generic host with the rotation scheduler: OpenAI and OpenRouter keys rotate by themselves at the provider emulator,
/// a Groq key (manual tier: Groq has no key API) raises reminders. Time is a <see cref="FakeClock"/> the program advances,
/// so a week of schedule passes in a few seconds; keys live in an SQLite file in a temporary folder.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // 1. A loopback emulator of OpenAI and OpenRouter stands in for the real providers: nothing leaves the machine.
        await using var emulator = await ProviderEmulator.StartAsync();
        var seededOpenAI = emulator.OpenAI.AddProjectKey("prod");
        var seededOpenRouter = emulator.OpenRouter.AddKey("prod");

        var folder = Directory.CreateTempSubdirectory("ironcage-sample-");
        var clock = FakeClock.FromUtc(2026, 11, 2, 9, 0, 0);
        var events = new EventPrinter(output);

        // 2. The host: IronCage with an SQLite store, two provider adapters, the rotation engine and its scheduler.
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<IClock>(clock);
        builder.Services
            .AddIronCage(o => o.DefaultGracePeriod = Duration.FromHours(1))
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()) // a real host reads it from configuration
            .PersistToSqlite($"Data Source={Path.Combine(folder.FullName, "ironcage.db")};Pooling=False")
            .AddOpenAI("openai", o =>
            {
                o.BaseAddress = emulator.OpenAI.BaseAddress;
                o.AdminKey = emulator.OpenAI.AdminKey;
            })
            .AddOpenRouter("openrouter", o =>
            {
                o.BaseAddress = emulator.OpenRouter.BaseAddress;
                o.ManagementKey = emulator.OpenRouter.ManagementKey;
            })
            .AddRotation()
            .AddRotationScheduler(o => o.Interval = TimeSpan.FromHours(1)) // the passes below are run by hand
            .AddLoggerNotifications()
            .AddNotificationSink(events);

        using var host = builder.Build();
        await host.StartAsync(); // applies the SQLite schema and starts the scheduler's loop

        try
        {
            // 3. Three managed keys, each rotated weekly.
            var rotator = host.Services.GetRequiredService<IKeyRotator>();
            var weekly = new RotationPolicy { Schedule = RotationSchedule.Weekly };
            var openai = KeyReference.Parse("openai/prod");
            var openrouter = KeyReference.Parse("openrouter/prod");
            var groq = KeyReference.Parse("groq/prod");
            using (var secret = seededOpenAI.ToSecretValue())
            {
                var scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId };
                await rotator.RegisterAsync(new KeyRegistration { Reference = openai, Policy = weekly, Scope = scope, ProviderKeyId = seededOpenAI.Id }, secret);
            }

            using (var secret = seededOpenRouter.ToSecretValue())
            {
                await rotator.RegisterAsync(new KeyRegistration { Reference = openrouter, Policy = weekly, ProviderKeyId = seededOpenRouter.Id }, secret);
            }

            using (var secret = FakeKeys.Generate(ProviderId.Groq))
            {
                // Groq cannot be called from here (no network in a sample), so the key is stored without a verify call.
                await rotator.RegisterAsync(new KeyRegistration { Reference = groq, Policy = weekly, Verify = false }, secret);
            }

            await PrintPlanAsync(rotator, clock.GetCurrentInstant(), output);

            // 4. Scheduler passes: eight days later all three are due (two rotate by themselves, Groq gets a reminder);
            //    two hours later the one-hour grace period is over and the previous keys are revoked at the provider.
            var scheduler = host.Services.GetRequiredService<RotationScheduler>();
            output.WriteLine();
            output.WriteLine($"  {"pass at",-22} {"started",7} {"resumed",7} {"completed",9} {"reminders",9} {"failed",6}");
            foreach (var step in new[] { Duration.Zero, Duration.FromDays(8), Duration.FromHours(2) })
            {
                clock.Advance(step);
                var pass = await scheduler.RunDueAsync(clock.GetCurrentInstant());
                output.WriteLine($"  {clock.GetCurrentInstant(),-22} {pass.Started,7} {pass.Resumed,7} {pass.Completed,9} {pass.Reminders,9} {pass.Failed,6}");
            }

            await PrintKeysAsync(host.Services.GetRequiredService<IKeyStore>(), output);
            output.WriteLine();
            output.WriteLine($"old OpenAI key still valid at the provider:     {emulator.OpenAI.IsValid(seededOpenAI.Secret)}");
            output.WriteLine($"old OpenRouter key still valid at the provider: {emulator.OpenRouter.IsValid(seededOpenRouter.Secret)}");
            output.WriteLine("groq/prod waits for a person: rotate it in the Groq console, then call RecordManualRotationAsync.");
            return 0;
        }
        finally
        {
            await host.StopAsync();
            folder.Delete(recursive: true);
        }
    }

    private static async Task PrintPlanAsync(IKeyRotator rotator, Instant now, TextWriter output)
    {
        var plan = await rotator.PlanAsync(now);
        output.WriteLine($"plan at {now}:");
        output.WriteLine($"  {"key",-18} {"tier",-10} {"action",-8} {"due at",-22} detail");
        foreach (var item in plan.Items)
        {
            output.WriteLine($"  {item.Key,-18} {item.Tier,-10} {item.Action,-8} {item.DueAt?.ToString() ?? "-",-22} {item.Detail}");
        }
    }

    private static async Task PrintKeysAsync(IKeyStore store, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("keys in the store:");
        output.WriteLine($"  {"key",-18} {"current",-14} versions (stage)");
        await foreach (var key in store.ListAsync())
        {
            var versions = string.Join(", ", key.Versions.Select(v => $"{v.DisplayHint} ({v.Stage})"));
            output.WriteLine($"  {key.Reference,-18} {key.CurrentVersion?.DisplayHint,-14} {versions}");
        }
    }

    /// <summary>
    /// A notification sink that prints every event as one line. The outbox delivers in the background, so the lines
    /// come as the sink gets them (the host's stop drains what is left before the program ends).
    /// </summary>
    private sealed class EventPrinter(TextWriter output) : INotificationSink
    {
        public string Name => "console";

        public ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
        {
            lock (output)
            {
                output.WriteLine($"  event {notificationEvent.Type,-20} {notificationEvent.Key,-18} {notificationEvent.Describe()}");
            }

            return ValueTask.CompletedTask;
        }
    }
}
