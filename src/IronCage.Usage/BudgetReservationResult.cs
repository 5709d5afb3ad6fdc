namespace IronCage.Usage;

/// <summary>The answer of <see cref="IUsageStore.TryReserveAsync"/>.</summary>
/// <param name="Admitted">Whether the reservation was recorded (it fitted within the limit).</param>
/// <param name="Committed">What the budget window held before this reservation: settled costs plus open reservations.</param>
public readonly record struct BudgetReservationResult(bool Admitted, decimal Committed);
