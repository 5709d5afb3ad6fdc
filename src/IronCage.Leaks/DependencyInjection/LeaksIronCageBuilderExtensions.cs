using IronCage.Auditing;
using IronCage.Leaks.GitHub;
using IronCage.Leaks.Response;
using IronCage.Leaks.Scanning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage;

/// <summary>Registers IronCage's leak response.</summary>
public static class LeaksIronCageBuilderExtensions
{
    /// <summary>The name of the HTTP client the GitHub secret scanning handler reads alerts with.</summary>
    internal const string GitHubHttpClientName = "IronCage.Leaks.GitHub";

    /// <summary>
    /// Registers the <see cref="LeakResponder"/> with its policies, a <see cref="LeakScanner"/> over the store's managed
    /// keys (each resolution returns the scanner as of the last change to the store; the compiled rules are shared) and
    /// the <see cref="GitHubSecretScanningWebhookHandler"/> (configure it with <see cref="AddGitHubSecretScanning"/>).
    /// Needs rotation (<c>AddRotation()</c>) for the emergency path; notifications are used when registered. Safe to
    /// call twice (the configurations add up).
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the default policy and per-key policies.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddLeakResponse(this IIronCageBuilder builder, Action<LeakResponseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<LeakResponseOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        var services = builder.Services;
        services.TryAddSingleton<LeakResponder>();
        services.TryAddSingleton<ManagedKeyScannerSource>();

        // A scanner is a snapshot of the managed keys: a transient resolution gets the current one (loaded again only
        // after the store changed), so a scanner held by a caller never goes on matching against keys long rotated.
        services.TryAddTransient(sp => sp.GetRequiredService<ManagedKeyScannerSource>().GetAsync().AsTask().GetAwaiter().GetResult());
        services.AddOptions<GitHubSecretScanningOptions>();
        services.AddHttpClient(GitHubHttpClientName);
        services.TryAddSingleton(sp =>
        {
            var source = sp.GetRequiredService<ManagedKeyScannerSource>();
            return new GitHubSecretScanningWebhookHandler(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(GitHubHttpClientName),
                source.GetAsync,
                sp.GetRequiredService<LeakResponder>(),
                sp.GetRequiredService<IAuditLog>(),
                sp.GetRequiredService<IClock>(),
                sp.GetRequiredService<IOptions<GitHubSecretScanningOptions>>());
        });
        services.TryAddSingleton(sp => new GitHubSecretScanningPoller(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(GitHubHttpClientName),
            sp.GetRequiredService<ManagedKeyScannerSource>().GetAsync,
            sp.GetRequiredService<LeakResponder>(),
            sp.GetRequiredService<IOptions<GitHubSecretScanningOptions>>(),
            sp.GetRequiredService<ILogger<GitHubSecretScanningPoller>>()));
        return builder;
    }

    /// <summary>
    /// Registers leak response (<see cref="AddLeakResponse(IIronCageBuilder, Action{LeakResponseOptions}?)"/>) with its
    /// policies read from a configuration section, such as <c>configuration.GetSection("IronCage:Leaks")</c>:
    /// <c>DefaultPolicy</c> and <c>Policies</c>, keyed by the managed key, each a <see cref="LeakResponsePolicy"/> name
    /// (<c>"Policies": { "openai/prod": "RevokeFirstRotation", "groq/batch": "AlertOnly" }</c>). A key or a policy that
    /// does not parse stops the host at start-up, naming the entry and what to write instead.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configuration">The section.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddLeakResponse(this IIronCageBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.AddLeakResponse();
        builder.Services.AddSingleton<IConfigureOptions<LeakResponseOptions>>(new LeakResponseConfiguration(configuration));
        builder.Services.AddOptions<LeakResponseOptions>().ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Registers leak response (<see cref="AddLeakResponse(IIronCageBuilder, Action{LeakResponseOptions}?)"/>) and configures the GitHub secret scanning source: the
    /// webhook secret deliveries are signed with, the token alerts' secrets are read with, and the organisation or
    /// repositories the hosted poller reads every <see cref="GitHubSecretScanningOptions.PollInterval"/>.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the webhook secret, the token and the REST API's base address.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddGitHubSecretScanning(this IIronCageBuilder builder, Action<GitHubSecretScanningOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddLeakResponse();
        builder.Services.Configure(configure);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GitHubSecretScanningPollerService>());
        return builder;
    }
}
