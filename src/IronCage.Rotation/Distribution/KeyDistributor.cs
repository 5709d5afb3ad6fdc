namespace IronCage.Rotation;

/// <summary>Runs the distribution step: opens the new key once and hands it to every target that applies to the key.</summary>
internal sealed class KeyDistributor
{
    private readonly IKeyDistributionTarget[] _targets;
    private readonly SecretSealer _sealer;

    public KeyDistributor(IEnumerable<IKeyDistributionTarget> targets, SecretSealer sealer)
    {
        _targets = [.. targets];
        _sealer = sealer;
    }

    public bool HasTargets => _targets.Length > 0;

    /// <summary>Distributes the new version; returns the names of the targets written (empty when none applies).</summary>
    public async Task<IReadOnlyList<string>> DistributeAsync(RotationOperation operation, ManagedKey key, CancellationToken cancellationToken)
    {
        var targets = _targets.Where(t => t.AppliesTo(key)).ToList();
        if (targets.Count == 0)
        {
            return [];
        }

        var version = key.FindVersion(operation.NewVersionId) ?? throw new IronCageException($"Rotation {operation.OperationId}: the new version {operation.NewVersionId} is missing from the key store.");
        using var secret = await _sealer.OpenAsync(version, operation.Key, cancellationToken).ConfigureAwait(false);
        foreach (var target in targets)
        {
            await target.DistributeAsync(new KeyDistribution { OperationId = operation.OperationId, Key = key, Version = version, Secret = secret }, cancellationToken).ConfigureAwait(false);
        }

        return [.. targets.Select(t => t.Name)];
    }
}
