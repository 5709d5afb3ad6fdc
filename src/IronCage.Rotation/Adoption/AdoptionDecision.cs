using IronCage.Storage;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The pure decision behind adoption-confirmed revocation: given the heartbeats, the consumers still pending and the
/// time, may the old version be revoked? Live instances are those that sent a heartbeat within the instance timeout;
/// an instance counts as on the old version when it still serves it or has requests in flight on it. The floor
/// delays even a complete adoption; the ceiling (the end of the grace period) ends every wait.
/// </summary>
internal static class AdoptionDecision
{
    public static KeyAdoptionStatus Evaluate(KeyReference key, string previousVersionId, Instant now, Instant notBefore, Instant ceiling, Duration instanceTimeout, IReadOnlyList<InstanceHeartbeat> heartbeats, IReadOnlyList<string> pendingConsumers)
    {
        var live = 0;
        var onPrevious = new List<string>();
        var dropped = new List<string>();
        long inFlight = 0;
        foreach (var heartbeat in heartbeats)
        {
            var usesKey = false;
            var onOld = false;
            long oldInFlight = 0;
            foreach (var version in heartbeat.Versions)
            {
                if (version.Key != key)
                {
                    continue;
                }

                usesKey = true;
                if (string.Equals(version.VersionId, previousVersionId, StringComparison.Ordinal))
                {
                    oldInFlight += version.InFlight;
                    onOld |= version.Serving || version.InFlight > 0;
                }
            }

            if (!usesKey)
            {
                continue;
            }

            if (now - heartbeat.SentAt > instanceTimeout)
            {
                dropped.Add(heartbeat.InstanceId);
                continue;
            }

            live++;
            inFlight += oldInFlight;
            if (onOld)
            {
                onPrevious.Add(heartbeat.InstanceId);
            }
        }

        var everyoneMoved = onPrevious.Count == 0 && inFlight == 0 && pendingConsumers.Count == 0;
        var state = now >= ceiling
            ? (everyoneMoved ? KeyAdoptionState.Adopted : KeyAdoptionState.CeilingReached)
            : now < notBefore ? KeyAdoptionState.WaitingForFloor
            : everyoneMoved ? KeyAdoptionState.Adopted
            : KeyAdoptionState.Waiting;
        onPrevious.Sort(StringComparer.Ordinal);
        dropped.Sort(StringComparer.Ordinal);
        return new KeyAdoptionStatus
        {
            State = state,
            CheckedAt = now,
            LiveInstances = live,
            InstancesOnPrevious = onPrevious,
            InFlightOnPrevious = inFlight,
            DroppedInstances = dropped,
            PendingConsumers = pendingConsumers,
        };
    }

    /// <summary>Whether two checks tell the same story (an event is published only when it changes).</summary>
    public static bool SameStory(KeyAdoptionStatus? before, KeyAdoptionStatus after)
        => before is not null
            && before.State == after.State
            && before.LiveInstances == after.LiveInstances
            && before.InFlightOnPrevious == after.InFlightOnPrevious
            && before.InstancesOnPrevious.SequenceEqual(after.InstancesOnPrevious, StringComparer.Ordinal)
            && before.DroppedInstances.SequenceEqual(after.DroppedInstances, StringComparer.Ordinal)
            && before.PendingConsumers.SequenceEqual(after.PendingConsumers, StringComparer.Ordinal);
}
