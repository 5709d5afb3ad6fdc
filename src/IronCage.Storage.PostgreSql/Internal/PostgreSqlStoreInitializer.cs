using Microsoft.Extensions.Hosting;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// Applies (or checks) the schema when the host starts, before any hosted service runs, so a database migrated by a
/// newer IronCage stops start-up instead of the first rotation. Without a host, the stores do the same on first use.
/// </summary>
internal sealed class PostgreSqlStoreInitializer(PostgreSqlDatabase database) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => database.EnsureInitializedAsync(cancellationToken).AsTask();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
