using System.Globalization;
using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.AspNetCore.Internal;

/// <summary>
/// Deletes a managed key for the admin API and the dashboard alike: refused while a rotation is under way or while a
/// version is still servable (revoke or kill it first, so no live provider key is forgotten), audited as
/// <c>key.delete</c> on success.
/// </summary>
internal static class KeyDeletion
{
    /// <summary>Deletes <paramref name="reference"/>; returns <see langword="null"/> when deleted, or the version that is still served (nothing changed).</summary>
    /// <exception cref="RotationConflictException">A rotation of the key is under way.</exception>
    /// <exception cref="ManagedKeyNotFoundException">The key does not exist.</exception>
    public static async Task<KeyVersion?> DeleteAsync(IServiceProvider services, KeyReference reference, RotationRequest request, CancellationToken cancellationToken)
    {
        var keys = services.GetRequiredService<IKeyStore>();
        var key = await keys.GetAsync(reference, cancellationToken).ConfigureAwait(false);
        if (await services.GetRequiredService<IRotationStore>().FindActiveAsync(reference, cancellationToken).ConfigureAwait(false) is { } active)
        {
            throw new RotationConflictException(reference, active.OperationId, active.Step);
        }

        if (key.Versions.FirstOrDefault(v => v.IsServable) is { } servable)
        {
            return servable;
        }

        await keys.DeleteAsync(reference, key.ConcurrencyToken, cancellationToken).ConfigureAwait(false);
        await services.GetRequiredService<IAuditLog>().AppendAsync(
            new AuditEvent
            {
                Actor = request.Actor,
                Action = AuditAction.KeyDelete,
                Target = reference.ToString(),
                Timestamp = services.GetRequiredService<IClock>().GetCurrentInstant(),
                IpAddress = request.IpAddress,
                Details = new Dictionary<string, string> { ["versions"] = key.Versions.Count.ToString(CultureInfo.InvariantCulture) },
            },
            cancellationToken).ConfigureAwait(false);
        return null;
    }
}
