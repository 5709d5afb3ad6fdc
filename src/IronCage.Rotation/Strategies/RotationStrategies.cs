using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>Finds the strategy of a tier among the registered ones.</summary>
internal sealed class RotationStrategies
{
    private readonly Dictionary<RotationTier, IRotationStrategy> _byTier = [];

    public RotationStrategies(IEnumerable<IRotationStrategy> strategies)
    {
        foreach (var strategy in strategies)
        {
            foreach (var tier in strategy.Tiers)
            {
                _byTier[tier] = strategy;
            }
        }
    }

    public IRotationStrategy For(RotationTier tier)
        => _byTier.TryGetValue(tier, out var strategy)
            ? strategy
            : throw new IronCageException($"No rotation strategy serves the {tier} tier.");
}
