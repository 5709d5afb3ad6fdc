using IronCage.HealthChecks;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodaTime;
using static IronCage.AspNetCore.Tests.AdminTestHost;

namespace IronCage.AspNetCore.Tests;

public sealed class HealthCheckTests : IAsyncLifetime
{
    private AdminTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AddIronCageHealthChecks_FreshStore_StoreAndMasterKeyHealthy_NoSchedulerDegraded()
    {
        var report = await CheckAsync();

        report.Entries.Keys.Should().BeEquivalentTo([IronCageHealthCheckNames.Store, IronCageHealthCheckNames.MasterKey, IronCageHealthCheckNames.Scheduler, IronCageHealthCheckNames.OverdueRotations, IronCageHealthCheckNames.ExpiringKeys, IronCageHealthCheckNames.FailedRevocations]);
        report.Entries.Values.Should().OnlyContain(e => e.Tags.Contains(IronCageHealthCheckNames.Tag));
        report.Entries[IronCageHealthCheckNames.Store].Status.Should().Be(HealthStatus.Healthy);
        report.Entries[IronCageHealthCheckNames.MasterKey].Description.Should().Contain("No stored secret");
        report.Entries[IronCageHealthCheckNames.Scheduler].Status.Should().Be(HealthStatus.Degraded);
        report.Entries[IronCageHealthCheckNames.Scheduler].Description.Should().Contain("AddRotationScheduler");
    }

    [Fact]
    public async Task MasterKeyCheck_StoredKey_OpensItAndNamesIt()
    {
        var (key, secret) = await _host.SeedAsync("hc");

        var entry = (await CheckAsync()).Entries[IronCageHealthCheckNames.MasterKey];

        entry.Status.Should().Be(HealthStatus.Healthy);
        entry.Data["key"].Should().Be(key.ToString());
        entry.Description.Should().NotContain(secret.Reveal());
    }

    [Fact]
    public async Task OverdueCheck_KeyPastItsSchedule_IsDegradedAndNamesIt()
    {
        var (key, _) = await _host.SeedAsync("due");
        await _host.Rotator.ChangePolicyAsync(key, new RotationPolicy { Schedule = RotationSchedule.Weekly });
        _host.Clock.AdvanceDays(8);

        var entry = (await CheckAsync()).Entries[IronCageHealthCheckNames.OverdueRotations];

        entry.Status.Should().Be(HealthStatus.Degraded);
        entry.Data["overdue"].Should().Be(1);
        entry.Data.Keys.Should().Contain(key.ToString());
    }

    [Fact]
    public async Task ExpiringCheck_WithinLeadDegraded_ExpiredUnhealthy()
    {
        var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var id = _host.OpenAI.AddExistingKey(secret, "expiring");
        var key = new KeyReference(ProviderId.OpenAI, "expiring");
        await _host.Rotator.RegisterAsync(new KeyRegistration { Reference = key, ProviderKeyId = id, ExpiresAt = _host.Clock.GetCurrentInstant() + Duration.FromDays(3) }, secret);

        var soon = (await CheckAsync()).Entries[IronCageHealthCheckNames.ExpiringKeys];
        _host.Clock.AdvanceDays(4);
        var expired = (await CheckAsync()).Entries[IronCageHealthCheckNames.ExpiringKeys];

        soon.Status.Should().Be(HealthStatus.Degraded);
        soon.Data["expiring"].Should().Be(1);
        expired.Status.Should().Be(HealthStatus.Unhealthy);
        expired.Data["expired"].Should().Be(1);
    }

    [Fact]
    public async Task ExpiringCheck_KeyRenewedBeforeExpiry_IsHealthyUntilItsRenewalHasFailedForAWhile()
    {
        var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var id = _host.OpenAI.AddExistingKey(secret, "renewed");
        var key = new KeyReference(ProviderId.OpenAI, "renewed");
        var expires = _host.Clock.GetCurrentInstant() + Duration.FromHours(12);
        await _host.Rotator.RegisterAsync(new KeyRegistration { Reference = key, ProviderKeyId = id, ExpiresAt = expires, Policy = new RotationPolicy { RenewBeforeExpiry = Duration.FromHours(1) } }, secret);

        var renewedAsUsual = (await CheckAsync()).Entries[IronCageHealthCheckNames.ExpiringKeys];
        _host.Clock.Advance(expires - Duration.FromMinutes(30) - _host.Clock.GetCurrentInstant());
        var notRenewed = (await CheckAsync()).Entries[IronCageHealthCheckNames.ExpiringKeys];

        renewedAsUsual.Status.Should().Be(HealthStatus.Healthy, "a key that lives 12 hours and is renewed an hour before is not 'expiring' within the 14-day lead");
        notRenewed.Status.Should().Be(HealthStatus.Degraded, "half an hour before expiry it should have been renewed half an hour ago");
        notRenewed.Data.Keys.Should().Contain(key.ToString());
    }

    [Fact]
    public async Task FailedRevocationsCheck_MarkedVersion_IsUnhealthyWithTheConsole()
    {
        var (key, _) = await _host.SeedAsync("stuck");
        var keys = _host.Services.GetRequiredService<IKeyStore>();
        var managed = await keys.GetAsync(key);
        await keys.UpdateAsync(ManagedKeyTransitions.MarkRevocationFailed(managed, managed.CurrentVersion!.VersionId, _host.Clock.GetCurrentInstant()));

        var entry = (await CheckAsync()).Entries[IronCageHealthCheckNames.FailedRevocations];

        entry.Status.Should().Be(HealthStatus.Unhealthy);
        entry.Data["failed"].Should().Be(1);
        entry.Data.Values.OfType<string>().Should().Contain(v => v.Contains("https://", StringComparison.Ordinal));
    }

    private async Task<HealthReport> CheckAsync()
        => await _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains(IronCageHealthCheckNames.Tag));
}
