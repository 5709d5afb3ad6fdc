using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>
/// The <see cref="RotationTier.SlotAlternating"/> tier (Azure key1/key2): the new key is the free slot regenerated;
/// the old key is retired by regenerating its slot. A regenerated slot cannot be given back, so a rollback discards
/// nothing at the provider (the old key was never touched), and nothing revoked first can be restored.
/// </summary>
internal sealed class SlotAlternatingStrategy : IRotationStrategy
{
    private readonly RotationProviders _providers;

    public SlotAlternatingStrategy(RotationProviders providers) => _providers = providers;

    public IReadOnlyList<RotationTier> Tiers { get; } = [RotationTier.SlotAlternating];

    public bool AwaitsSuppliedKey => false;

    public bool CreatesNamedKeys => false;

    public bool AcceptsUnverifiable => false;

    public bool RetiresAtProvider => true;

    public async Task<ObtainedKey> ObtainAsync(RotationStrategyContext context, SecretValue? supplied, CancellationToken cancellationToken)
    {
        var operation = context.Operation;
        if (supplied is not null)
        {
            throw new IronCageException($"Managed key '{context.Key.Reference}' rotates by alternating slots, which the provider regenerates: use RotateAsync.");
        }

        var currentSlot = context.Key.FindVersion(operation.PreviousVersionId ?? string.Empty) is { } previous
            ? previous.Slot ?? previous.ProviderKeyId
            : null;
        if (currentSlot is null)
        {
            throw new IronCageException($"Rotation {operation.OperationId}: the current version of '{operation.Key}' does not say which slot holds it, so IronCage cannot tell which slot is free. Re-register the key with its slot ({string.Join(" or ", _providers.SlotsOf(operation.Key.Provider))}).");
        }

        var free = OtherSlot(_providers.SlotsOf(operation.Key.Provider), currentSlot);
        var created = await context.RequireAdapter().RegenerateSlotAsync(context.Provider, free, cancellationToken).ConfigureAwait(false);
        return ObtainedKey.Created(created, slot: created.ProviderKeyId);
    }

    public Task DiscardAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task RetireAsync(RotationStrategyContext context, KeyVersion? previous, string providerKeyId, CancellationToken cancellationToken)
    {
        using var discarded = await context.RequireAdapter().RegenerateSlotAsync(context.Provider, previous?.Slot ?? providerKeyId, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> RestoreAsync(RotationStrategyContext context, string providerKeyId, CancellationToken cancellationToken) => Task.FromResult(false);

    private static string OtherSlot(IReadOnlyList<string> slots, string slot)
        => slots.FirstOrDefault(s => !string.Equals(s, slot, StringComparison.OrdinalIgnoreCase)) ?? slots[0];
}
