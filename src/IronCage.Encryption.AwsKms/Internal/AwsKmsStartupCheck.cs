using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage.Encryption.AwsKms.Internal;

/// <summary>Checks the configured KMS key when the host starts, so a wrong key, region or policy stops it there and not at the first secret.</summary>
internal sealed class AwsKmsStartupCheck(AwsKmsKeyEncryptionKeyProvider provider, IOptions<AwsKmsOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
        => options.Value.ValidateKeyOnStart ? provider.CheckKeyAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
