using System.Globalization;
using IronCage.AspNetCore.Endpoints;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>
/// The limits form of a key's page and the alert thresholds of <see cref="Components.AlertConfig"/>: both replace the
/// key's <see cref="UsageLimits"/> through <see cref="IKeyRotator.ChangeLimitsAsync"/>, as <c>PUT .../limits</c> does
/// (audited as <c>key.limits-changed</c> by the rotator; MFA step-up checked before this runs).
/// </summary>
internal static class LimitsHandlers
{
    /// <summary>The posted rows: repeated <c>metric</c>, <c>window</c>, <c>limit</c> and <c>enforcement</c> fields; a row with an empty limit is removed.</summary>
    public static async Task<IResult> LimitsAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var metrics = form["metric"];
        var windows = form["window"];
        var values = form["limit"];
        var enforcements = form["enforcement"];
        var limits = new List<UsageLimit>();
        for (var row = 0; row < values.Count; row++)
        {
            var text = values[row]?.Trim() ?? string.Empty;
            if (text.Length == 0)
            {
                continue;
            }

            if (!TryEnum<UsageMetric>(At(metrics, row), out var metric))
            {
                return Refuse("Unknown metric.", $"Limit {row + 1} counts '{At(metrics, row)}'.", "metric-" + Row(row), "Choose requests, tokens, input tokens, output tokens or cost.", $"metric of limit {row + 1}");
            }

            if (!TryEnum<UsageWindow>(At(windows, row), out var window))
            {
                return Refuse("Unknown window.", $"Limit {row + 1} has the window '{At(windows, row)}'.", "window-" + Row(row), "Choose minute, hour, day or month.", $"window of limit {row + 1}");
            }

            if (!TryEnum<LimitEnforcement>(At(enforcements, row), out var enforcement))
            {
                return Refuse("Unknown enforcement.", $"Limit {row + 1} has the enforcement '{At(enforcements, row)}'.", "enforcement-" + Row(row), "Choose soft (alerts only) or hard (the key is not served past the limit).", $"enforcement of limit {row + 1}");
            }

            if (!decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
            {
                return Refuse("Invalid limit.", $"Limit {row + 1}: '{text}' is not a number above zero.", "limit-" + Row(row), "Give the most allowed per window, such as 1000 or 25.50; clear the value to remove the limit.", $"value of limit {row + 1}");
            }

            limits.Add(new UsageLimit(metric, window, amount, enforcement));
        }

        var managed = await page.Service<IKeyStore>().GetAsync(key, page.Aborted).ConfigureAwait(false);
        var changed = managed.Limits with { Limits = limits };
        try
        {
            changed.Validate();
        }
        catch (IronCageException ex)
        {
            return Refuse("Invalid limits.", ex.Message, "limits", "Keep one limit per metric, window and enforcement.", "usage limits");
        }

        await page.Service<IKeyRotator>().ChangeLimitsAsync(key, changed, AdminViews.RequestOf(page.Http), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, DashboardPage.KeyPath(key), "limits");
    }

    /// <summary>The posted <c>alertThresholds</c>: percentages of each limit, comma separated (<c>80, 95</c>); the key's limits are kept.</summary>
    public static async Task<IResult> AlertsAsync(DashboardPage page, KeyReference key, IFormCollection form)
    {
        var field = AlertField(key);
        var thresholds = new List<decimal>();
        foreach (var part in form["alertThresholds"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var number = part.TrimEnd('%').Trim();
            if (!decimal.TryParse(number, NumberStyles.Number, CultureInfo.InvariantCulture, out var percent) || percent <= 0 || percent > 100)
            {
                return Refuse("Invalid alert threshold.", $"'{part}' is not a percentage above 0 and at most 100.", field, "Write percentages of the limit, comma separated, such as 80, 95; leave empty for no alerts.", $"alert thresholds of {key}");
            }

            thresholds.Add(percent / 100m);
        }

        var managed = await page.Service<IKeyStore>().GetAsync(key, page.Aborted).ConfigureAwait(false);
        var changed = managed.Limits with { AlertThresholds = [.. thresholds.Distinct().Order()] };
        try
        {
            changed.Validate();
        }
        catch (IronCageException ex)
        {
            return Refuse("Invalid alert threshold.", ex.Message, field, fieldLabel: $"alert thresholds of {key}");
        }

        await page.Service<IKeyRotator>().ChangeLimitsAsync(key, changed, AdminViews.RequestOf(page.Http), page.Aborted).ConfigureAwait(false);
        return DashboardEndpoints.SeeOther(page, "/usage?key=" + Uri.EscapeDataString(key.ToString()), "alerts");
    }

    /// <summary>The id of a key's thresholds field in <see cref="Components.AlertConfig"/> (one per key on the page).</summary>
    public static string AlertField(KeyReference key) => "alerts-" + key.Provider.Value + "-" + key.Name;

    public static string Row(int row) => row.ToString(CultureInfo.InvariantCulture);

    private static string At(StringValues values, int row) => row < values.Count ? values[row]?.Trim() ?? string.Empty : string.Empty;

    private static bool TryEnum<T>(string text, out T value)
        where T : struct, Enum
        => Enum.TryParse(text.Replace(" ", string.Empty, StringComparison.Ordinal), ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    private static DashboardRefusal Refuse(string title, string message, string field, string? fix = null, string? fieldLabel = null)
        => new(new DashboardError(StatusCodes.Status400BadRequest, title, message, field, fix, fieldLabel));
}
