using IronCage.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
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

    /// <summary>Reads the <c>page</c> (from 1) and <c>pageSize</c> (1 to <see cref="MaxPageSize"/>) query values; a Problem Details naming the field when one is out of range.</summary>
    public static IResult? CheckPaging(int? page, int? pageSize, out int number, out int size)
    {
        size = pageSize ?? DefaultPageSize;
        number = page ?? 1;
        if (size is < 1 or > MaxPageSize)
        {
            return AdminProblems.Field("pageSize", $"pageSize {size} is out of range.", $"Use 1 to {MaxPageSize}.");
        }

        return number < 1 ? AdminProblems.Field("page", $"page {number} is out of range.", "Pages count from 1.") : null;
    }

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

    /// <summary>
    /// One page (counted from 1) of the keys that pass the filter, ordered by id, and their total: the store filters and
    /// pages (<see cref="IKeyStore.ListPageAsync"/>), so only the page's keys are read. With <paramref name="clampToLast"/>
    /// a page past the end is the last page (<see cref="KeyListPage"/> then holds that page; the caller recomputes its number).
    /// </summary>
    public async Task<(KeyListPage Page, int Number)> PageAsync(IKeyStore keys, Instant now, int number, int size, bool clampToLast, CancellationToken cancellationToken)
    {
        var found = await keys.ListPageAsync(Query(now, number, size), cancellationToken).ConfigureAwait(false);
        var pages = Math.Max(1, (found.Total + size - 1) / size);
        if (clampToLast && number > pages)
        {
            number = pages;
            found = await keys.ListPageAsync(Query(now, number, size), cancellationToken).ConfigureAwait(false);
        }

        return (found, number);
    }

    private KeyListQuery Query(Instant now, int number, int size)
    {
        var (labelName, labelValue) = Label?.Split('=', 2) is [var n, var v] ? (n, (string?)v) : (Label, null);
        return new KeyListQuery
        {
            Provider = Provider is null ? null : new ProviderId(Provider),
            LabelName = labelName,
            LabelValue = labelValue,
            Stage = Stage,
            Overdue = Overdue,
            AsOf = now,
            Offset = (int)Math.Min(((long)number - 1) * size, int.MaxValue),
            Limit = size,
        };
    }
}
