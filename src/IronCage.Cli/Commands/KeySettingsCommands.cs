using System.CommandLine;
using System.Globalization;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Rotation;
using IronCage.Storage;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary><c>ironcage keys limits</c> and <c>ironcage keys schedule</c>: a stored key's usage limits and rotation policy.</summary>
internal static class KeySettingsCommands
{
    public static Command Limits(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var hard = new Option<string[]>("--hard") { Description = "A hard limit (the key is not served once it is reached), as metric/window=amount: cost/month=100, tokens/day=2000000, requests/minute=60. Metrics: requests, tokens, input-tokens, output-tokens, cost (USD). Windows: minute, hour, day, month. Repeat for more; the limits given replace the stored ones." };
        var soft = new Option<string[]>("--soft") { Description = "A soft limit (alerts only), in the same form as --hard." };
        var alerts = new Option<string?>("--alerts") { Description = "The alert thresholds as fractions of a limit, comma-separated (for example 0.5,0.8,0.95)." };
        var clear = new Option<bool>("--clear") { Description = "Remove every limit of the key." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the limits that would be stored; change nothing." };
        var command = new Command("limits", "Show or set a key's usage limits (hard: the key stops being served; soft: alerts) and alert thresholds.") { key, hard, soft, alerts, clear, dryRun };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            var managed = await scope.Get<IKeyStore>().GetAsync(reference, scope.CancellationToken).ConfigureAwait(false);
            var hardSpecs = parsed.GetValue(hard) ?? [];
            var softSpecs = parsed.GetValue(soft) ?? [];
            var thresholds = parsed.GetValue(alerts);
            var clearing = parsed.GetValue(clear);
            if (clearing && (hardSpecs.Length > 0 || softSpecs.Length > 0))
            {
                throw new CliConfigurationException("--clear removes every limit: leave out --hard and --soft, or leave out --clear.");
            }

            if (!clearing && hardSpecs.Length == 0 && softSpecs.Length == 0 && thresholds is null)
            {
                WriteLimits(scope, reference, managed.Limits, changed: false, dryRun: false);
                return ExitCodes.Ok;
            }

            var limits = managed.Limits;
            if (clearing)
            {
                limits = limits with { Limits = [] };
            }
            else if (hardSpecs.Length > 0 || softSpecs.Length > 0)
            {
                limits = limits with { Limits = [.. hardSpecs.Select(s => ParseLimit(s, LimitEnforcement.Hard, "--hard")), .. softSpecs.Select(s => ParseLimit(s, LimitEnforcement.Soft, "--soft"))] };
            }

            if (thresholds is not null)
            {
                limits = limits with { AlertThresholds = ParseThresholds(thresholds) };
            }

            Checked(limits.Validate);
            if (parsed.GetValue(dryRun))
            {
                WriteLimits(scope, reference, limits, changed: false, dryRun: true);
                return ExitCodes.Ok;
            }

            var stored = await scope.Get<IKeyRotator>().ChangeLimitsAsync(reference, limits, scope.Request(), scope.CancellationToken).ConfigureAwait(false);
            WriteLimits(scope, reference, stored.Limits, changed: true, dryRun: false);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Schedule(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var every = new Option<string?>("--every") { Description = "How often the key rotates: weekly, monthly, quarterly, an ISO period such as P30D, or none (on demand only)." };
        var windowDays = new Option<string?>("--window-days") { Description = "The maintenance window's days, comma-separated (Mon,Tue,… or weekdays, weekend, daily); scheduled rotations start only inside the window." };
        var windowStart = new Option<string?>("--window-start") { Description = "The window's start time of day, HH:mm (for example 02:00)." };
        var windowLength = new Option<string?>("--window-length") { Description = "How long the window stays open: an ISO duration (PT2H) or 2h, 90m." };
        var zone = new Option<string?>("--time-zone") { Description = "The window's time zone, an IANA id such as Europe/Berlin (default UTC)." };
        var noWindow = new Option<bool>("--no-window") { Description = "Remove the maintenance window: scheduled rotations start whenever they are due." };
        var grace = new Option<string?>("--grace") { Description = "How long the old key stays valid after a rotation (0 to 30 days): PT24H, 24h, 2d." };
        var expiryWarning = new Option<string?>("--expiry-warning") { Description = "How long before a key expires a warning is raised: P14D, 14d." };
        var lifetime = new Option<string?>("--lifetime") { Description = "How long a new key lives at providers that set an expiry (P90D, 90d), or none." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the policy that would be stored and the next due time; change nothing." };
        var command = new Command("schedule", "Show or set a key's rotation policy: schedule, maintenance window, grace period, expiry warning and key lifetime.")
        {
            key, every, windowDays, windowStart, windowLength, zone, noWindow, grace, expiryWarning, lifetime, dryRun,
        };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            var managed = await scope.Get<IKeyStore>().GetAsync(reference, scope.CancellationToken).ConfigureAwait(false);
            var windowGiven = parsed.GetValue(windowDays) is not null || parsed.GetValue(windowStart) is not null || parsed.GetValue(windowLength) is not null || parsed.GetValue(zone) is not null;
            if (windowGiven && parsed.GetValue(noWindow))
            {
                throw new CliConfigurationException("--no-window removes the window: leave out --window-days, --window-start, --window-length and --time-zone, or leave out --no-window.");
            }

            var policy = managed.Policy;
            var changing = windowGiven || parsed.GetValue(noWindow);
            if (parsed.GetValue(every) is { } text)
            {
                changing = true;
                policy = policy with
                {
                    Schedule = string.Equals(text, "none", StringComparison.OrdinalIgnoreCase) ? null
                        : RotationSchedule.TryParse(text, out var schedule) ? schedule
                        : throw new CliConfigurationException($"'{text}' is not a rotation schedule (--every): use weekly, monthly, quarterly, an ISO period such as P30D, or none."),
                };
            }

            if (parsed.GetValue(noWindow))
            {
                policy = policy with { Window = null };
            }
            else if (windowGiven)
            {
                policy = policy with { Window = Window(policy.Window, parsed.GetValue(windowDays), parsed.GetValue(windowStart), parsed.GetValue(windowLength), parsed.GetValue(zone)) };
            }

            if (parsed.GetValue(grace) is { } graceText)
            {
                changing = true;
                policy = policy with { GracePeriod = ParseDuration(graceText, "--grace") };
            }

            if (parsed.GetValue(expiryWarning) is { } leadText)
            {
                changing = true;
                policy = policy with { ExpiryWarningLead = ParseDuration(leadText, "--expiry-warning") };
            }

            if (parsed.GetValue(lifetime) is { } lifetimeText)
            {
                changing = true;
                policy = policy with { KeyLifetime = string.Equals(lifetimeText, "none", StringComparison.OrdinalIgnoreCase) ? null : ParseDuration(lifetimeText, "--lifetime") };
            }

            if (!changing)
            {
                WritePolicy(scope, managed, changed: false, dryRun: false);
                return ExitCodes.Ok;
            }

            Checked(policy.Validate);
            if (parsed.GetValue(dryRun))
            {
                WritePolicy(scope, managed with { Policy = policy }, changed: false, dryRun: true);
                return ExitCodes.Ok;
            }

            var stored = await scope.Get<IKeyRotator>().ChangePolicyAsync(reference, policy, scope.Request(), scope.CancellationToken).ConfigureAwait(false);
            WritePolicy(scope, stored, changed: true, dryRun: false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Runs a model check and reports what it finds as a usage error (exit code 2): the input is what is wrong.</summary>
    private static void Checked(Action validate)
    {
        try
        {
            validate();
        }
        catch (IronCageException invalid)
        {
            throw new CliConfigurationException(invalid.Message);
        }
    }

    private static UsageLimit ParseLimit(string spec, LimitEnforcement enforcement, string option)
    {
        var shown = spec.Length > 80 ? spec[..80] + "…" : spec;
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        if (slash <= 0 || equals <= slash + 1 || equals == spec.Length - 1)
        {
            throw new CliConfigurationException($"'{shown}' ({option}) is not a limit: write metric/window=amount, for example cost/month=100 or tokens/day=2000000.");
        }

        var metric = spec[..slash].Trim().ToLowerInvariant() switch
        {
            "requests" => UsageMetric.Requests,
            "tokens" => UsageMetric.Tokens,
            "input-tokens" => UsageMetric.InputTokens,
            "output-tokens" => UsageMetric.OutputTokens,
            "cost" => UsageMetric.Cost,
            var other => throw new CliConfigurationException($"'{other}' ({option}) is not a metric: use requests, tokens, input-tokens, output-tokens or cost."),
        };
        var window = spec[(slash + 1)..equals].Trim().ToLowerInvariant() switch
        {
            "minute" => UsageWindow.Minute,
            "hour" => UsageWindow.Hour,
            "day" => UsageWindow.Day,
            "month" => UsageWindow.Month,
            var other => throw new CliConfigurationException($"'{other}' ({option}) is not a window: use minute, hour, day or month."),
        };
        if (!decimal.TryParse(spec[(equals + 1)..].Trim(), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw new CliConfigurationException($"'{shown}' ({option}): the amount must be a number above 0 (remove the limit with --clear, or leave it out).");
        }

        return new UsageLimit(metric, window, amount, enforcement);
    }

    private static decimal[] ParseThresholds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var thresholds = new decimal[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!decimal.TryParse(parts[i], NumberStyles.Number, CultureInfo.InvariantCulture, out thresholds[i]))
            {
                throw new CliConfigurationException($"'{parts[i]}' (--alerts) is not a fraction: use numbers above 0 and at most 1, such as 0.8.");
            }
        }

        return [.. thresholds.Distinct().Order()];
    }

    private static MaintenanceWindow Window(MaintenanceWindow? current, string? daysText, string? startText, string? lengthText, string? zoneText)
    {
        var days = daysText is null ? current?.Days.ToArray() ?? Days("daily") : Days(daysText);
        var start = current?.Start ?? new LocalTime(2, 0);
        if (startText is not null)
        {
            var parsed = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(startText.Trim());
            start = parsed.Success ? parsed.Value : throw new CliConfigurationException($"'{startText}' (--window-start) is not a time of day: use HH:mm, for example 02:00.");
        }

        var length = lengthText is null ? current?.Length ?? Duration.FromHours(2) : ParseDuration(lengthText, "--window-length");
        var zone = current?.Zone ?? DateTimeZone.Utc;
        if (zoneText is not null)
        {
            zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneText.Trim())
                ?? throw new CliConfigurationException($"'{zoneText}' (--time-zone) is not a time zone IronCage knows: use an IANA id such as Europe/Berlin or UTC.");
        }

        try
        {
            return new MaintenanceWindow(days, start, length, zone);
        }
        catch (ArgumentException invalid)
        {
            throw new CliConfigurationException($"The maintenance window is not usable: {invalid.Message}");
        }
    }

    private static IsoDayOfWeek[] Days(string text)
    {
        var days = new HashSet<IsoDayOfWeek>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.ToLowerInvariant();
            switch (name)
            {
                case "daily":
                    days.UnionWith(Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None));
                    continue;
                case "weekdays":
                    days.UnionWith([IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday]);
                    continue;
                case "weekend":
                    days.UnionWith([IsoDayOfWeek.Saturday, IsoDayOfWeek.Sunday]);
                    continue;
            }

            var day = Enum.GetValues<IsoDayOfWeek>().FirstOrDefault(d => d != IsoDayOfWeek.None && name.Length >= 3 && d.ToString().StartsWith(name, StringComparison.OrdinalIgnoreCase));
            if (day == IsoDayOfWeek.None)
            {
                throw new CliConfigurationException($"'{part}' (--window-days) is not a day: use Mon, Tue, Wed, Thu, Fri, Sat, Sun, weekdays, weekend or daily.");
            }

            days.Add(day);
        }

        return days.Count == 0 ? throw new CliConfigurationException("--window-days names no day: use for example Sat,Sun or weekdays.") : [.. days.Order()];
    }

    /// <summary>An ISO 8601 duration (PT24H, P7D) or a short form (90m, 24h, 7d); months and years have no fixed length and are refused.</summary>
    internal static Duration ParseDuration(string text, string option)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && char.IsAsciiDigit(trimmed[0]) && trimmed[^1] is 'm' or 'h' or 'd' or 's'
            && long.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 3_650 * 86_400L)
        {
            return trimmed[^1] switch
            {
                's' => Duration.FromSeconds(count),
                'm' => Duration.FromMinutes(count),
                'h' => Duration.FromHours(count),
                _ => Duration.FromDays(count),
            };
        }

        var parsed = PeriodPattern.NormalizingIso.Parse(trimmed.ToUpperInvariant());
        if (parsed.Success && parsed.Value is { Years: 0, Months: 0 } period)
        {
            return period.ToDuration();
        }

        throw new CliConfigurationException($"'{(trimmed.Length > 40 ? trimmed[..40] + "…" : trimmed)}' ({option}) is not a duration: use an ISO duration such as PT24H or P7D, or 90m, 24h, 7d (no months or years: they have no fixed length).");
    }

    private static void WriteLimits(CommandScope scope, KeyReference key, UsageLimits limits, bool changed, bool dryRun)
    {
        var rows = limits.Limits.Select(l => new { metric = l.Metric.ToString(), window = l.Window.ToString(), limit = l.Limit, enforcement = l.Enforcement.ToString() }).ToList();
        scope.Output.Write(new { key = key.ToString(), limits = rows, alertThresholds = limits.AlertThresholds, changed, dryRun }, console =>
        {
            if (rows.Count == 0)
            {
                console.WriteLine($"{key} has no usage limits.");
            }
            else
            {
                console.Write(CliOutput.Table(["Metric", "Window", "Limit", "Enforcement"], rows.Select(r => new[] { r.metric, r.window, r.limit.ToString(CultureInfo.InvariantCulture), r.enforcement })));
            }

            console.WriteLine($"Alerts at {string.Join(", ", limits.AlertThresholds.Select(t => t.ToString("P0", CultureInfo.InvariantCulture)))} of a limit.");
            console.WriteLine(dryRun ? "Dry run: nothing was changed." : changed ? $"Stored the limits of {key}." : string.Empty);
        });
    }

    private static void WritePolicy(CommandScope scope, ManagedKey key, bool changed, bool dryRun)
    {
        var policy = key.Policy;
        var view = new
        {
            key = key.Reference.ToString(),
            schedule = policy.Schedule?.Text,
            window = policy.Window?.ToString(),
            gracePeriod = policy.GracePeriod?.ToString(),
            expiryWarningLead = policy.ExpiryWarningLead?.ToString(),
            keyLifetime = policy.KeyLifetime?.ToString(),
            renewBeforeExpiry = policy.RenewBeforeExpiry?.ToString(),
            nextDueAt = Show.Due(key),
            changed,
            dryRun,
        };
        scope.Output.Write(view, console =>
        {
            console.Write(CliOutput.Details(
            [
                ("Key", view.key),
                ("Schedule", view.schedule ?? "on demand only"),
                ("Window", view.window ?? "none (any time)"),
                ("Grace period", view.gracePeriod ?? "default"),
                ("Expiry warning", view.expiryWarningLead ?? "default"),
                ("Key lifetime", view.keyLifetime ?? "none"),
                ("Renew before expiry", view.renewBeforeExpiry ?? "none"),
                ("Next due", Show.Time(view.nextDueAt)),
            ]));
            console.WriteLine(dryRun ? "Dry run: nothing was changed." : changed ? $"Stored the rotation policy of {view.key}." : string.Empty);
        });
    }
}
