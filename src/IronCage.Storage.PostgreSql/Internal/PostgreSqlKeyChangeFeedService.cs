using Microsoft.Extensions.Hosting;

namespace IronCage.Storage.PostgreSql;

/// <summary>Starts the <see cref="PostgreSqlKeyChangeFeed"/> with the host and stops it with the host.</summary>
internal sealed class PostgreSqlKeyChangeFeedService(PostgreSqlKeyChangeFeed feed) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => feed.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => feed.StopAsync(cancellationToken);
}
