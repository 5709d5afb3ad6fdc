using System.Collections.Concurrent;
using IronCage.Auditing;
using IronCage.Encryption;
using NodaTime;

namespace IronCage.Storage;

/// <summary>
/// What a SQL key store does with version state seals (<see cref="KeyStateAuthenticator"/>): seals each version it
/// writes, and refuses a key whose stored version state does not match its seal: it raises the alert, appends a
/// <see cref="AuditAction.KeyStateTampered"/> record (once per version and seal in this process) and throws
/// <see cref="KeyStateTamperedException"/>, so the key is neither served nor changed.
/// </summary>
internal sealed class KeyStateGuard(KeyStateAuthenticator authenticator, Func<AuditEvent, CancellationToken, ValueTask> audit, IClock clock, Action<KeyReference, string> alert)
{
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);

    public IClock Clock => clock;

    /// <summary>
    /// The guard a store registered in DI uses: the host's <see cref="KeyStateAuthenticator"/>, or one derived from the
    /// local master key; <see langword="null"/> (no seals) when the host has neither, which start-up validation of the
    /// master key reports on its own.
    /// </summary>
    public static KeyStateGuard? Create(IServiceProvider services, Action<KeyReference, string> alert)
    {
        KeyStateAuthenticator? authenticator;
        try
        {
            authenticator = services.GetService(typeof(KeyStateAuthenticator)) as KeyStateAuthenticator
                ?? (services.GetService(typeof(IKeyEncryptionKeyProvider)) is LocalMasterKeyProvider local ? new KeyStateAuthenticator(local) : null);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException)
        {
            authenticator = null;
        }

        if (authenticator is null)
        {
            return null;
        }

        var clock = services.GetService(typeof(IClock)) as IClock ?? throw new InvalidOperationException("AddIronCage() registers the clock the store needs.");
        return new KeyStateGuard(
            authenticator,
            async (auditEvent, cancellationToken) => await ((IAuditLog)services.GetService(typeof(IAuditLog))!).AppendAsync(auditEvent, cancellationToken).ConfigureAwait(false),
            clock,
            alert);
    }

    public ValueTask AuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken) => audit(auditEvent, cancellationToken);

    public string Seal(KeyReference key, KeyVersion version) => authenticator.Seal(key, version);

    public async ValueTask CheckAsync(ManagedKey key, IReadOnlyList<string?> seals, CancellationToken cancellationToken)
    {
        for (var i = 0; i < key.Versions.Count; i++)
        {
            var version = key.Versions[i];
            if (authenticator.IsAuthentic(key.Reference, version, seals[i]))
            {
                continue;
            }

            // Every version sealed under one key this host does not have is a wrong master key, not an edit: a row an
            // attacker changed does not verify under a key this host has, or sits next to versions that do.
            if (SealedUnderAnotherKey(seals) is { } sealedWith)
            {
                throw new SecretDecryptionException(
                    $"The stored state of '{key.Reference}' was sealed with master key '{sealedWith}', which is not configured (configured: {string.Join(", ", authenticator.KeyIds)}). The wrong master key is configured: configure the one that sealed this store (ProtectKeysWithMasterKey, IRONCAGE_MASTER_KEY or the key file); after a master-key rotation, add the old key to LocalMasterKeyOptions.RetiredMasterKeys.");
            }

            if (_reported.TryAdd(key.Reference + "\n" + version.VersionId + "\n" + seals[i], true))
            {
                alert(key.Reference, version.VersionId);
                await AuditAsync(new AuditEvent
                {
                    Actor = "system",
                    Action = AuditAction.KeyStateTampered,
                    Target = key.Reference.ToString(),
                    Timestamp = clock.GetCurrentInstant(),
                    Reason = "the stored stage, kill or revocation state does not match its seal",
                    Outcome = AuditOutcome.Denied,
                    Details = new Dictionary<string, string>
                    {
                        ["version"] = version.VersionId,
                        ["stage"] = version.Stage.ToString(),
                        ["seal"] = seals[i] is null ? "missing" : "mismatch",
                    },
                }, cancellationToken).ConfigureAwait(false);
            }

            throw new KeyStateTamperedException(key.Reference, version.VersionId);
        }
    }

    private string? SealedUnderAnotherKey(IReadOnlyList<string?> seals)
    {
        string? keyId = null;
        foreach (var seal in seals)
        {
            var id = KeyStateAuthenticator.KeyIdOf(seal);
            if (id is null || authenticator.HasKey(id) || (keyId is not null && !string.Equals(keyId, id, StringComparison.Ordinal)))
            {
                return null;
            }

            keyId = id;
        }

        return keyId;
    }
}
