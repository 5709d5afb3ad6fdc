using System.Globalization;
using System.Runtime.CompilerServices;
using IronCage.Providers;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Testing;

/// <summary>
/// An in-memory provider behind the <see cref="IProviderAdapter"/> contract, for tests of code that rotates keys:
/// keys are created, deactivated, deleted, undeleted and regenerated in memory; verification accepts exactly the
/// active keys; every call can be scripted (<see cref="On"/>) to succeed, fail with any <see cref="ProviderErrorKind"/>,
/// hang, or throw after its side effects; and every call is recorded (<see cref="Calls"/>). With
/// <see cref="ProviderCapabilities.Generate"/> it generates keys as <see cref="IKeyGeneratingProviderAdapter"/>, each
/// accepted until its own expiry (<see cref="GeneratedKeyLifetime"/>) by the fake's clock. Thread-safe.
/// </summary>
public sealed class FakeProviderAdapter : ProviderAdapter, IKeyGeneratingProviderAdapter
{
    private readonly object _gate = new();
    private readonly List<Entry> _keys = [];
    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _bySecret = new(StringComparer.Ordinal);
    private readonly List<FakeProviderCall> _calls = [];
    private readonly Dictionary<FakeProviderOperation, FakeOperationScript> _scripts = [];
    private readonly IClock _clock;
    private int _nextId;

    /// <summary>Creates a fake provider with the given capabilities.</summary>
    /// <param name="provider">The provider it stands for.</param>
    /// <param name="capabilities">What it supports; other operations throw <see cref="NotSupportedByProviderException"/>.</param>
    /// <param name="clock">The clock for creation instants and call records; the system clock when <see langword="null"/>.</param>
    /// <param name="slots">Fixed slots to create up front when <see cref="ProviderCapabilities.Regenerate"/> is supported (default <c>Key1</c>, <c>Key2</c>).</param>
    public FakeProviderAdapter(ProviderId provider, ProviderCapabilities capabilities, IClock? clock = null, IEnumerable<string>? slots = null)
    {
        if (provider.IsEmpty)
        {
            throw new ArgumentException("The fake provider needs a provider id.", nameof(provider));
        }

        Provider = provider;
        Capabilities = capabilities;
        _clock = clock ?? SystemClock.Instance;
        foreach (FakeProviderOperation operation in Enum.GetValues<FakeProviderOperation>())
        {
            _scripts[operation] = new FakeOperationScript(operation);
        }

        if (capabilities.HasFlag(ProviderCapabilities.Regenerate))
        {
            foreach (var slot in slots ?? ["Key1", "Key2"])
            {
                Add(new Entry(slot, slot, FakeKeys.Generate(Provider), _clock.GetCurrentInstant(), null));
            }
        }
    }

    /// <inheritdoc />
    public override ProviderId Provider { get; }

    /// <inheritdoc />
    public override ProviderCapabilities Capabilities { get; }

    /// <summary>
    /// Gets or sets what the fake answers a create or a regenerate with (to test a provider that hands back a value of
    /// the wrong shape, or to learn the value created); <see cref="FakeKeys.Generate"/> for the provider when <see langword="null"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<ProviderId, SecretValue>? KeyFactory { get; set; }

    /// <summary>Gets or sets how long a generated key lives (<see cref="GenerateKeyAsync"/>), unless the request asks for less.</summary>
    /// <value>The default value is 12 hours, the longest an Amazon Bedrock short-term key lives.</value>
    public Duration GeneratedKeyLifetime { get; set; } = Duration.FromHours(12);

    /// <summary>Gets or sets the organization a successful verify answer names (as OpenAI's <c>openai-organization</c> header does), or <see langword="null"/> for none.</summary>
    public string? VerifyOrganization { get; set; }

    /// <summary>Gets or sets the limits an accepted verification reports, as a provider's rate-limit headers would (<see cref="KeyVerificationResult.RateLimits"/>).</summary>
    /// <value>The default value is <see langword="null"/>: no limits reported.</value>
    public ProviderRateLimits? VerifyRateLimits { get; set; }

    /// <summary>Gets every call received so far, in order.</summary>
    public IReadOnlyList<FakeProviderCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Gets a snapshot of every key the fake provider holds, including deleted ones.</summary>
    public IReadOnlyList<FakeProviderKey> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys.Select(e => e.ToSnapshot())];
            }
        }
    }

    /// <summary>Gets the ids of the keys that are active (would be accepted) now.</summary>
    public IReadOnlyList<string> LiveKeyIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys.Where(IsLive).Select(e => e.Id)];
            }
        }
    }

    /// <summary>Creates a fake that supports what the built-in catalog says the provider supports, with its slots.</summary>
    /// <param name="provider">A built-in provider.</param>
    /// <param name="clock">The clock; the system clock when <see langword="null"/>.</param>
    /// <returns>The fake.</returns>
    /// <remarks>For a host's own descriptor, use <see cref="For(IProviderCatalog, ProviderId, IClock?)"/> with the host's <see cref="IProviderCatalog"/>.</remarks>
#pragma warning disable RS0030 // A test double for the built-in providers: the catalog a test without a host has. Hosts pass theirs to the other overload.
    public static FakeProviderAdapter For(ProviderId provider, IClock? clock = null) => For(ProviderCatalog.BuiltIn, provider, clock);
#pragma warning restore RS0030

    /// <summary>Creates a fake that supports what <paramref name="catalog"/> says the provider supports, with its slots.</summary>
    /// <param name="catalog">The catalog (a host's <see cref="IProviderCatalog"/>, with its own descriptors).</param>
    /// <param name="provider">A provider the catalog knows.</param>
    /// <param name="clock">The clock; the system clock when <see langword="null"/>.</param>
    /// <returns>The fake.</returns>
    /// <exception cref="UnknownProviderException">The catalog does not know the provider.</exception>
    public static FakeProviderAdapter For(IProviderCatalog catalog, ProviderId provider, IClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return For(catalog.GetDescriptor(provider), clock);
    }

    /// <summary>Creates a fake that supports what <paramref name="descriptor"/> says its provider supports, with its slots.</summary>
    /// <param name="descriptor">The provider's descriptor.</param>
    /// <param name="clock">The clock; the system clock when <see langword="null"/>.</param>
    /// <returns>The fake.</returns>
    public static FakeProviderAdapter For(ProviderDescriptor descriptor, IClock? clock = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        // Always pass the catalog's slots, even none: null would make the constructor invent Key1/Key2 for any
        // provider that can regenerate (AWS Bedrock regenerates credentials by id and has no fixed slots).
        return new FakeProviderAdapter(descriptor.Id, descriptor.Capabilities, clock, descriptor.KeySlots);
    }

    /// <summary>Gets the script of an operation, to make its next calls fail, hang or throw.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The operation's script.</returns>
    public FakeOperationScript On(FakeProviderOperation operation) => _scripts[operation];

    /// <summary>Gets the calls of one operation.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The calls, in order.</returns>
    public IReadOnlyList<FakeProviderCall> CallsTo(FakeProviderOperation operation) => [.. Calls.Where(c => c.Operation == operation)];

    /// <summary>Forgets the recorded calls.</summary>
    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    /// <summary>Puts a key in the fake provider as if a person had created it in the console (the semi-automatic and manual tiers).</summary>
    /// <param name="secret">The key's value; the fake keeps a copy.</param>
    /// <param name="name">Its name.</param>
    /// <returns>Its provider key id.</returns>
    public string AddExistingKey(SecretValue secret, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        lock (_gate)
        {
            var entry = new Entry(NewId(), name, secret.Clone(), _clock.GetCurrentInstant(), null);
            Add(entry);
            return entry.Id;
        }
    }

    /// <summary>Tells whether the fake provider would accept a key now (it is active).</summary>
    /// <param name="secret">The key.</param>
    /// <returns><see langword="true"/> when accepted.</returns>
    public bool IsAccepted(SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        lock (_gate)
        {
            return FindBySecret(secret) is { } entry && IsLive(entry);
        }
    }

    /// <summary>Returns the id of the key with a given value, if the fake provider holds it.</summary>
    /// <param name="secret">The key.</param>
    /// <returns>The id, or <see langword="null"/>.</returns>
    public string? FindKeyId(SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        lock (_gate)
        {
            return FindBySecret(secret)?.Id;
        }
    }

    /// <inheritdoc />
    public override Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(FakeProviderOperation.Create, ProviderCapabilities.Create, request.Context.Key, null, () =>
        {
            var secret = NewSecret();
            var entry = new Entry(NewId(), request.Name, secret.Clone(), _clock.GetCurrentInstant(), request.ExpiresAt);
            Add(entry);
            var created = new CreatedProviderKey(entry.Id, secret) { Name = request.Name, ExpiresAt = request.ExpiresAt };
            return (created, entry.Id);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The key expires after <see cref="GeneratedKeyLifetime"/> or the request's shorter lifetime; nothing at the fake can revoke it.</remarks>
    public Task<CreatedProviderKey> GenerateKeyAsync(GenerateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(FakeProviderOperation.Generate, ProviderCapabilities.Generate, request.Context.Key, null, () =>
        {
            var secret = NewSecret();
            var now = _clock.GetCurrentInstant();
            var expiresAt = now + (request.Lifetime is { } wanted && wanted < GeneratedKeyLifetime ? wanted : GeneratedKeyLifetime);
            var entry = new Entry(NewId(), null, secret.Clone(), now, expiresAt) { ExpiresOnItsOwn = true };
            Add(entry);
            return (new CreatedProviderKey(entry.Id, secret) { ExpiresAt = expiresAt }, entry.Id);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keys = await RunAsync(FakeProviderOperation.List, ProviderCapabilities.List, context.Key, null, () =>
        {
            IReadOnlyList<ProviderKeyInfo> snapshot = [.. _keys.Where(e => e.Status != ProviderKeyStatus.Deleted).Select(e => e.ToInfo())];
            return (snapshot, (string?)null);
        }, cancellationToken).ConfigureAwait(false);

        foreach (var key in keys)
        {
            yield return key;
        }
    }

    /// <inheritdoc />
    public override Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(FakeProviderOperation.Get, ProviderCapabilities.Read, context.Key, providerKeyId, () => (Find(providerKeyId)?.ToInfo(), providerKeyId), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>A scripted failure returns a result with that error kind instead of throwing, as a classified provider answer would.</remarks>
    public override async Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            return await RunAsync(FakeProviderOperation.Verify, ProviderCapabilities.Verify, context.Key, null, () =>
            {
                var entry = FindBySecret(key);
                var accepted = entry is not null && IsLive(entry);
                var classification = new ProviderResponseClassification(Provider, accepted ? 200 : 401, accepted ? null : ProviderErrorKind.InvalidKey)
                {
                    Message = accepted ? null : "The fake provider does not accept this key.",
                    RateLimits = accepted ? VerifyRateLimits : null,
                    Organization = accepted ? VerifyOrganization : null,
                };
                return (KeyVerificationResult.FromClassification(classification), entry?.Id);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRequestException ex) when (ex.Data.Contains(ScriptedMarker))
        {
            return KeyVerificationResult.FromClassification(new ProviderResponseClassification(Provider, ex.StatusCode ?? 500, ex.Kind) { RetryAfter = ex.RetryAfter, Message = "Scripted failure." });
        }
    }

    /// <inheritdoc />
    public override Task DeactivateKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(FakeProviderOperation.Deactivate, ProviderCapabilities.Deactivate, context.Key, providerKeyId, () =>
        {
            var entry = Require(providerKeyId);
            if (entry.Status == ProviderKeyStatus.Active)
            {
                entry.Status = ProviderKeyStatus.Inactive;
            }

            return (true, providerKeyId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public override Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(FakeProviderOperation.Delete, ProviderCapabilities.Delete, context.Key, providerKeyId, () =>
        {
            if (Find(providerKeyId) is { } entry)
            {
                entry.Status = ProviderKeyStatus.Deleted;
            }

            return (true, providerKeyId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public override Task UndeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(FakeProviderOperation.Undelete, ProviderCapabilities.Undelete, context.Key, providerKeyId, () =>
        {
            var entry = Require(providerKeyId);
            if (entry.Status == ProviderKeyStatus.Deleted)
            {
                entry.Status = ProviderKeyStatus.Active;
            }

            return (true, providerKeyId);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public override Task<CreatedProviderKey> RegenerateSlotAsync(ProviderKeyContext context, string slot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(FakeProviderOperation.Regenerate, ProviderCapabilities.Regenerate, context.Key, slot, () =>
        {
            var entry = Require(slot);
            var secret = NewSecret();
            _bySecret.Remove(SecretIndex(entry.Secret));
            entry.Secret.Dispose();
            entry.Secret = secret.Clone();
            _bySecret[SecretIndex(entry.Secret)] = entry;
            entry.Status = ProviderKeyStatus.Active;
            entry.CreatedAt = _clock.GetCurrentInstant();
            return (new CreatedProviderKey(slot, secret) { Name = slot }, slot);
        }, cancellationToken);
    }

    private const string ScriptedMarker = "IronCage.Testing.Scripted";

    private static ProviderRequestException Scripted(ProviderId provider, ProviderErrorKind kind, TimeSpan? retryAfter, string operation)
    {
        var status = kind.Value switch
        {
            "InvalidKey" => 401,
            "Forbidden" => 403,
            "RateLimited" or "QuotaExhausted" => 429,
            "NotFound" => 404,
            "Conflict" => 409,
            "BadRequest" => 400,
            "Transient" => 503,
            _ => 500,
        };
        var exception = new ProviderRequestException(provider, kind, string.Create(CultureInfo.InvariantCulture, $"{provider}: scripted {kind} failure of {operation} ({status})."))
        {
            StatusCode = status,
            ProviderErrorCode = kind == ProviderErrorKind.QuotaExhausted ? "insufficient_quota" : null,
            RetryAfter = retryAfter,
            RequestId = "req_fake_" + Guid.NewGuid().ToString("N")[..12],
        };
        exception.Data[ScriptedMarker] = true;
        return exception;
    }

    private async Task<T> RunAsync<T>(FakeProviderOperation operation, ProviderCapabilities capability, KeyReference key, string? keyId, Func<(T Result, string? KeyId)> sideEffect, CancellationToken cancellationToken)
    {
        if (!Capabilities.HasFlag(capability))
        {
            Record(operation, key, keyId, FakeCallOutcome.NotSupported);
            throw NotSupported(capability);
        }

        var script = _scripts[operation];
        var behavior = script.Next();
        if (behavior.What == FakeOperationScript.BehaviorKind.Hang)
        {
            try
            {
                await script.HangAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Record(operation, key, keyId, FakeCallOutcome.Cancelled);
                throw;
            }
        }

        var failure = behavior.What switch
        {
            FakeOperationScript.BehaviorKind.Fail => Scripted(Provider, behavior.Kind, behavior.RetryAfter, operation.ToString()),
            FakeOperationScript.BehaviorKind.Throw => behavior.Exception,
            _ => null,
        };

        if (failure is not null && !behavior.AfterSideEffects)
        {
            Record(operation, key, keyId, FakeCallOutcome.Failed);
            throw failure;
        }

        await Task.Yield();
        (T Result, string? KeyId) outcome;
        lock (_gate)
        {
            try
            {
                outcome = sideEffect();
            }
            catch (ProviderRequestException)
            {
                _calls.Add(new FakeProviderCall(operation, key, keyId, _clock.GetCurrentInstant(), FakeCallOutcome.Failed));
                throw;
            }
        }

        if (failure is not null)
        {
            Record(operation, key, outcome.KeyId ?? keyId, FakeCallOutcome.FailedAfterSideEffects);
            throw failure;
        }

        Record(operation, key, outcome.KeyId ?? keyId, FakeCallOutcome.Succeeded);
        return outcome.Result;
    }

    private void Record(FakeProviderOperation operation, KeyReference key, string? keyId, FakeCallOutcome outcome)
    {
        lock (_gate)
        {
            _calls.Add(new FakeProviderCall(operation, key, keyId, _clock.GetCurrentInstant(), outcome));
        }
    }

    private SecretValue NewSecret() => KeyFactory is { } factory ? factory(Provider) : FakeKeys.Generate(Provider);

    private string NewId() => "fk_" + (++_nextId).ToString("D4", CultureInfo.InvariantCulture);

    private Entry? Find(string id) => _byId.GetValueOrDefault(id);

    private Entry? FindBySecret(SecretValue secret) => _bySecret.TryGetValue(SecretIndex(secret), out var entry) && entry.Secret.Equals(secret) ? entry : null;

    // A hash of the secret indexes the keys, so verification does not scan every key the fake holds.
    private static string SecretIndex(SecretValue secret) => secret.UseBytes(0, static (bytes, _) => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(bytes)));

    private void Add(Entry entry)
    {
        _keys.Add(entry);
        _byId[entry.Id] = entry;
        _bySecret[SecretIndex(entry.Secret)] = entry;
    }

    // A generated key dies at its expiry by the fake's clock; every other key lives until it is deactivated or deleted.
    private bool IsLive(Entry entry) => entry.Status == ProviderKeyStatus.Active && !(entry.ExpiresOnItsOwn && entry.ExpiresAt <= _clock.GetCurrentInstant());

    private Entry Require(string id) => Find(id) ?? throw new ProviderRequestException(Provider, ProviderErrorKind.NotFound, $"{Provider}: the fake provider has no key '{id}'.") { StatusCode = 404 };

    private sealed class Entry
    {
        public Entry(string id, string? name, SecretValue secret, Instant createdAt, Instant? expiresAt)
        {
            Id = id;
            Name = name;
            Secret = secret;
            CreatedAt = createdAt;
            ExpiresAt = expiresAt;
        }

        public string Id { get; }

        public string? Name { get; }

        public SecretValue Secret { get; set; }

        public ProviderKeyStatus Status { get; set; } = ProviderKeyStatus.Active;

        public Instant CreatedAt { get; set; }

        public Instant? ExpiresAt { get; }

        public bool ExpiresOnItsOwn { get; init; }

        // What a provider's listing shows, as Anthropic's partial_key_hint does ("sk-ant-api03-R2D...igAA"): the prefix
        // and three characters past it, and the last four. SecretValue's own hint ("sk-…igAA") is too short to tell two
        // keys apart when the provider's keys end in a fixed suffix (Anthropic's "AA").
        internal static string ListedHint(SecretValue secret) => secret.UseChars(0, static (chars, _) =>
        {
            if (chars.Length < 24)
            {
                return "…";
            }

            var prefix = chars[..16].LastIndexOfAny('-', '_') + 1;
            return string.Concat(chars[..(prefix + 3)], "...", chars[^4..]);
        });

        public FakeProviderKey ToSnapshot() => new(Id, Name, Status, Secret.DisplayHint, CreatedAt, ExpiresAt);

        public ProviderKeyInfo ToInfo() => new()
        {
            ProviderKeyId = Id,
            Name = Name,
            DisplayHint = ListedHint(Secret),
            Status = Status,
            CreatedAt = CreatedAt,
            ExpiresAt = ExpiresAt,
        };
    }
}
