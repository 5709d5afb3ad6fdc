using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// A hold on a budget: the worst-case cost of one call, reserved before it is sent and settled to the real cost
/// after. Reservations make a budget hold under concurrency and across host instances sharing one store.
/// </summary>
public sealed record BudgetReservation
{
    /// <summary>Gets the reservation id.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the budget the reservation counts against (for a managed key's cost limit, the key reference and window, for example <c>openai/prod:Day</c>).</summary>
    public required string Budget { get; init; }

    /// <summary>Gets the start of the budget window the reservation belongs to.</summary>
    public required Instant WindowStart { get; init; }

    /// <summary>Gets the reserved (worst-case) amount.</summary>
    public required decimal Amount { get; init; }

    /// <summary>Gets when the reservation was made.</summary>
    public required Instant CreatedAt { get; init; }
}
