using System.Net.Http;
using IronCage.Rotation;
using IronCage.Secrets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage;

/// <summary>Adds key import (<see cref="IKeyImporter"/>) and the file, <c>.env</c> and webhook distribution targets.</summary>
public static class SecretsIronCageBuilderExtensions
{
    /// <summary>Adds <see cref="IKeyImporter"/> (and the rotation services it registers keys through). Safe to call twice.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    public static IIronCageBuilder AddKeyImport(this IIronCageBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddRotation();
        builder.Services.TryAddSingleton<IKeyImporter, KeyImporter>();
        return builder;
    }

    /// <summary>Adds a <see cref="FileKeyTarget"/>: the rotation writes the key's new value to a file that holds only the value.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the file and the managed key.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">The path or the key is missing.</exception>
    public static IIronCageBuilder AddFileKeyTarget(this IIronCageBuilder builder, Action<FileKeyTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new FileKeyTargetOptions();
        configure(options);
        if (string.IsNullOrWhiteSpace(options.Path) || options.Key.Provider.IsEmpty)
        {
            throw new OptionsValidationException(nameof(FileKeyTargetOptions), typeof(FileKeyTargetOptions), ["FileKeyTargetOptions needs Path (the file) and Key (the managed key it holds, for example openai/prod)."]);
        }

        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new FileKeyTarget(options, sp.GetService<ILogger<FileKeyTarget>>()));
        return builder;
    }

    /// <summary>Adds a <see cref="DotEnvKeyTarget"/>: the rotation writes the key's new value to one entry of a <c>.env</c> file.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the file, the variable and the managed key.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">The path, the variable or the key is missing.</exception>
    public static IIronCageBuilder AddDotEnvKeyTarget(this IIronCageBuilder builder, Action<DotEnvKeyTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DotEnvKeyTargetOptions();
        configure(options);
        if (string.IsNullOrWhiteSpace(options.Path) || string.IsNullOrWhiteSpace(options.VariableName) || options.Key.Provider.IsEmpty)
        {
            throw new OptionsValidationException(nameof(DotEnvKeyTargetOptions), typeof(DotEnvKeyTargetOptions), ["DotEnvKeyTargetOptions needs Path (the .env file), VariableName (for example OPENAI_API_KEY) and Key (the managed key, for example openai/prod)."]);
        }

        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new DotEnvKeyTarget(options, sp.GetService<ILogger<DotEnvKeyTarget>>()));
        return builder;
    }

    /// <summary>
    /// Adds a <see cref="WebhookKeyTarget"/>: the rotation POSTs the key's new value, signed, to a receiver you run. The
    /// HTTP client never follows redirects.
    /// </summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="configure">Sets the receiver, the signing secret and the managed keys.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="OptionsValidationException">The options are incomplete or the URL is not https.</exception>
    public static IIronCageBuilder AddWebhookKeyTarget(this IIronCageBuilder builder, Action<WebhookKeyTargetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new WebhookKeyTargetOptions();
        configure(options);
        if (WebhookKeyTarget.Validate(options) is { } problem)
        {
            throw new OptionsValidationException(nameof(WebhookKeyTargetOptions), typeof(WebhookKeyTargetOptions), [problem]);
        }

        builder.Services.AddHttpClient(WebhookKeyTargetConstants.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        builder.Services.AddSingleton<IKeyDistributionTarget>(sp => new WebhookKeyTarget(
            options,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookKeyTargetConstants.HttpClientName),
            sp.GetRequiredService<IClock>(),
            sp.GetService<ILogger<WebhookKeyTarget>>()));
        return builder;
    }
}
