namespace IronCage.Storage;

/// <summary>One page of <see cref="IKeyStore.ListPageAsync"/>: the keys of the page, in reference order, and how many keys match in all.</summary>
/// <param name="Keys">The page's keys.</param>
/// <param name="Total">How many keys match the query's filters, on every page.</param>
public sealed record KeyListPage(IReadOnlyList<ManagedKey> Keys, int Total);
