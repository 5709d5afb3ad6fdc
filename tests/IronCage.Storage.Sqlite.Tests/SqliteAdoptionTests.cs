using System.Collections.Concurrent;
using System.Net;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>
/// Adoption-confirmed revocation over one SQLite file shared by a rotating engine and two host instances (one slow to
/// switch, one with a request in flight on the old key): the old key is revoked only once both moved and the request
/// finished. Instances switch through SQLite's change feed (each store object polls the file's key counter), never through
/// a call of the test; the slow instance's resolver is wrapped to keep handing out the key it first resolved until the
/// test lets it switch (a host whose cache lags).
/// </summary>
public sealed class SqliteAdoptionTests : IDisposable
{
    private static readonly KeyReference Reference = new(ProviderId.OpenAI, "prod");
    private readonly TempDatabase _database = new();
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
    private readonly FakeProviderAdapter _provider = FakeProviderAdapter.For(ProviderId.OpenAI);
    private readonly string _masterKey = LocalMasterKeyProvider.GenerateMasterKey();
    private readonly Events _events = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _entered = new(0);

    [Fact]
    public async Task Rotate_TwoInstancesSharingAFile_RevokesOnlyWhenBothMovedAndInFlightDrained()
    {
        await using var engine = Build(null);
        await using var slow = Build("slow");
        await using var busy = Build("busy");
        var rotator = engine.GetRequiredService<IKeyRotator>();
        string oldId;
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            oldId = _provider.AddExistingKey(secret, "initial");
            await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = oldId }, secret);
        }

        await SendAsync(slow);
        var inFlight = SendAsync(busy, hold: true);
        await _entered.WaitAsync(TimeSpan.FromSeconds(30));
        await BeatAsync(slow, busy);
        var operation = await rotator.RotateAsync(Reference, RotationReason.Scheduled, new RotationRequest { Actor = "ops", GracePeriod = Duration.FromMinutes(30) });

        // busy's store polls the file's key counter and announces the promotion: its resolver drops the key by itself.
        (await ServedWithinAsync(busy, operation.NewVersionId)).Should().BeTrue("the SQLite change feed reaches another store object on the same file");
        _clock.Advance(Duration.FromMinutes(2));
        await SendAsync(busy);
        await BeatAsync(slow, busy);
        operation = await rotator.ResumeAsync(operation.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.Adoption!.InstancesOnPrevious.Should().Equal("busy", "slow");

        _clock.Advance(Duration.FromMinutes(1));
        ((LaggingResolver)slow.GetRequiredService<IKeyResolver>()).Switched = true;
        (await ServedWithinAsync(slow, operation.NewVersionId)).Should().BeTrue("slow's own feed dropped the key long ago; only its lag held it");
        await SendAsync(slow);
        await BeatAsync(slow, busy);
        operation = await rotator.ResumeAsync(operation.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod, "busy still has a request in flight on the old key");
        operation.Adoption!.Summary.Should().Contain("1 of 2 instances still on the old version (busy)").And.Contain("1 request in flight");
        _provider.LiveKeyIds.Should().Contain(oldId);

        _clock.Advance(Duration.FromMinutes(1));
        _release.SetResult();
        (await inFlight).Should().Be(HttpStatusCode.OK);
        await BeatAsync(slow, busy);
        operation = await rotator.ResumeAsync(operation.OperationId);

        operation.Step.Should().Be(RotationStep.Completed);
        _provider.LiveKeyIds.Should().NotContain(oldId);
        _events.Adoption.Select(e => e.Status.State).Should().Equal(KeyAdoptionState.Waiting, KeyAdoptionState.Waiting, KeyAdoptionState.Adopted);
        (await engine.GetRequiredService<IKeyStore>().GetAsync(Reference)).FindVersion(operation.NewVersionId)!.LastUsedAt.Should().Be(_clock.GetCurrentInstant() - Duration.FromMinutes(1), "the heartbeat after slow's last request on the new key wrote it");
    }

    public void Dispose()
    {
        _entered.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _database.Delete();
    }

    private static async Task BeatAsync(params ServiceProvider[] hosts)
    {
        foreach (var host in hosts)
        {
            await host.GetRequiredService<InstanceHeartbeatPublisher>().PublishAsync();
        }
    }

    // The feed polls in real time: wait (bounded) until the host's resolver hands out the version.
    private static async Task<bool> ServedWithinAsync(ServiceProvider host, string versionId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if ((await host.GetRequiredService<IKeyResolver>().ResolveAsync(Reference)).VersionId == versionId)
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static async Task<HttpStatusCode> SendAsync(ServiceProvider host, bool hold = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.openai.com/v1/models");
        if (hold)
        {
            request.Headers.Add("x-test-hold", "1");
        }

        using var response = await host.GetRequiredService<IHttpClientFactory>().CreateClient("chat").SendAsync(request);
        return response.StatusCode;
    }

    // instanceId null: the rotating engine; otherwise a host instance that serves the key and sends heartbeats.
    private ServiceProvider Build(string? instanceId)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(_clock);
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(_masterKey)
            .AddProviderAdapter(_provider)
            .AddRotation(o => o.RetryDelay = o.MaxRetryDelay = TimeSpan.Zero)
            .PersistToSqlite(_database.ConnectionString);
        if (instanceId is null)
        {
            builder.WaitForKeyAdoption(o => o.AdoptionFloor = Duration.FromMinutes(2));
            services.AddSingleton<IRotationEventSubscriber>(_events);
        }
        else
        {
            builder.AddKeyResolver(o => o.RefreshInterval = TimeSpan.FromHours(10)).AddInstanceHeartbeat(o => o.InstanceId = instanceId);
            if (instanceId == "slow")
            {
                var real = services.Last(d => d.ServiceType == typeof(IKeyResolver));
                services.Remove(real);
                services.AddSingleton<IKeyResolver>(sp => new LaggingResolver((IKeyResolver)real.ImplementationFactory!(sp)));
            }

            services.AddHttpClient("chat").AddIronCageKey(Reference.ToString()).ConfigurePrimaryHttpMessageHandler(() => new Endpoint(this));
        }

        return services.BuildServiceProvider();
    }

    private sealed class LaggingResolver(IKeyResolver inner) : IKeyResolver
    {
        private ResolvedKey? _first;

        public event EventHandler<KeyChangedEventArgs>? KeyChanged
        {
            add => inner.KeyChanged += value;
            remove => inner.KeyChanged -= value;
        }

        public bool Switched { get; set; }

        public async ValueTask<ResolvedKey> ResolveAsync(KeyReference key, CancellationToken cancellationToken = default)
            => Switched ? await inner.ResolveAsync(key, cancellationToken) : _first ??= await inner.ResolveAsync(key, cancellationToken);

        public ValueTask<ResolvedKey> ResolvePoolAsync(string pool, IReadOnlyCollection<KeyReference>? exclude = null, CancellationToken cancellationToken = default)
            => inner.ResolvePoolAsync(pool, exclude, cancellationToken);

        public void Invalidate(KeyReference key) => inner.Invalidate(key);
    }

    private sealed class Events : IRotationEventSubscriber
    {
        private readonly ConcurrentQueue<RotationEvent> _all = new();

        public IReadOnlyList<KeyAdoptionProgressed> Adoption => [.. _all.OfType<KeyAdoptionProgressed>()];

        public ValueTask OnEventAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default)
        {
            _all.Enqueue(rotationEvent);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Endpoint(SqliteAdoptionTests test) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Contains("x-test-hold"))
            {
                test._entered.Release();
                await test._release.Task.WaitAsync(cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"data\":[]}") };
        }
    }
}
