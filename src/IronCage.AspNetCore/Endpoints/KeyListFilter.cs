using IronCage.Storage;
using NodaTime;

namespace IronCage.AspNetCore.Endpoints;

/// <summary>
/// The key list's filters and paging, one set of rules for <c>GET /api-keys</c> and the dashboard's key list: provider,
/// label (<c>name</c> or <c>name=value</c>), stage (a version in that stage), overdue; pages count from 1.
/// </summary>
internal sealed record KeyListFilter(string? Provider, string? Label, KeyStage? Stage, bool? Overdue)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Parses a stage name; <see langword="null"/> text is no filter.</summary>
    public static bool TryParseStage(string? text, out KeyStage? stage)
    {
        stage = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (!Enum.TryParse<KeyStage>(text, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
        {
            return false;
        }

        stage = parsed;
        return true;
    }

    /// <summary>The keys that pass the filter, ordered by id.</summary>
    public async Task<List<ManagedKey>> ListAsync(IKeyStore keys, Instant now, CancellationToken cancellationToken)
    {
        var (labelName, labelValue) = Label?.Split('=', 2) is [var n, var v] ? (n, (string?)v) : (Label, null);
        var matched = new List<ManagedKey>();
        await foreach (var key in keys.ListAsync(Provider is null ? null : new ProviderId(Provider), cancellationToken).ConfigureAwait(false))
        {
            if ((labelName is null || (key.Labels.TryGetValue(labelName, out var value) && (labelValue is null || value == labelValue)))
                && (Stage is null || key.Versions.Any(x => x.Stage == Stage))
                && (Overdue is null || AdminViews.IsOverdue(key, now) == Overdue))
            {
                matched.Add(key);
            }
        }

        matched.Sort((a, b) => string.CompareOrdinal(a.Reference.ToString(), b.Reference.ToString()));
        return matched;
    }
}
