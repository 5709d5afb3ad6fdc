using Microsoft.Extensions.Options;

namespace IronCage.Notifications;

/// <summary>Validates the HTTP sinks' options at start. Messages name the problem, never the URL's path or the secret.</summary>
internal sealed class NotificationOptionsValidator : IValidateOptions<WebhookNotificationOptions>, IValidateOptions<SlackNotificationOptions>
{
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, WebhookNotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = ValidateHttp(nameof(WebhookNotificationOptions), options);
        if (string.IsNullOrWhiteSpace(options.Secret) || options.Secret.Length < NotificationConstants.MinSecretLength)
        {
            failures.Add($"WebhookNotificationOptions.Secret must be at least {NotificationConstants.MinSecretLength} characters; generate a random one (for example 32 bytes, base64) and share it with the receiver.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public ValidateOptionsResult Validate(string? name, SlackNotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = ValidateHttp(nameof(SlackNotificationOptions), options);
        if (!options.AllowAnyHost && options.Url is { IsAbsoluteUri: true } url
            && !(url.Scheme == Uri.UriSchemeHttps && url.IsDefaultPort && string.Equals(url.IdnHost, NotificationConstants.SlackWebhookHost, StringComparison.OrdinalIgnoreCase)))
        {
            // Only the host: the path of a Slack webhook URL is its credential.
            failures.Add($"SlackNotificationOptions.Url points at {url.Host}, not at Slack's incoming-webhook host; use the https://{NotificationConstants.SlackWebhookHost}/services/... URL Slack gave you, or set SlackNotificationOptions.AllowAnyHost = true for a relay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static List<string> ValidateHttp(string type, HttpNotificationOptions options)
    {
        var failures = new List<string>();
        var url = options.Url;
        if (url is null)
        {
            failures.Add($"{type}.Url is not set; set it to the receiver's absolute https URL.");
        }
        else if (!url.IsAbsoluteUri)
        {
            failures.Add($"{type}.Url is a relative URL; set it to the receiver's absolute https URL.");
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            // Only the host: the path of a webhook URL (Slack's, for one) is a credential.
            failures.Add($"{type}.Url sends events to {url.Host} over plain http; use https (http is allowed only for loopback addresses such as 127.0.0.1).");
        }
        else if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
        {
            failures.Add($"{type}.Url has the scheme '{url.Scheme}'; use https.");
        }
        else if (!options.AllowPrivateNetwork && NetworkTarget.WhyRefused(url) is { } refused)
        {
            // Only the host: the path of a webhook URL (Slack's, for one) is a credential.
            failures.Add($"{type}.Url points at {url.Host}, {refused}; IronCage refuses internal and cloud-metadata targets so that a configuration change cannot aim deliveries at the host's own network. If the receiver really runs there, set {type}.AllowPrivateNetwork = true.");
        }
        else if (!string.IsNullOrEmpty(url.UserInfo))
        {
            failures.Add($"{type}.Url carries user credentials; remove them from the URL.");
        }

        ValidateDelivery(failures, type, options.Timeout, options.MaxRetries, options.RetryDelay, options.MaxRetryDelay);
        return failures;
    }

    /// <summary>The timeout and retry settings every sink that retries by itself shares (the HTTP sinks, email).</summary>
    internal static void ValidateDelivery(List<string> failures, string type, TimeSpan timeout, int maxRetries, TimeSpan retryDelay, TimeSpan maxRetryDelay)
    {
        if (timeout < MinTimeout || timeout > NotificationConstants.MaxTimeout)
        {
            failures.Add($"{type}.Timeout is {timeout}; use 10 milliseconds to 5 minutes (default 10 seconds).");
        }

        if (maxRetries is < 0 or > NotificationConstants.MaxMaxRetries)
        {
            failures.Add($"{type}.MaxRetries is {maxRetries}; use 0 to {NotificationConstants.MaxMaxRetries} (default {NotificationConstants.DefaultMaxRetries}).");
        }

        if (retryDelay < TimeSpan.Zero || maxRetryDelay < retryDelay || maxRetryDelay > MaxDelay)
        {
            failures.Add($"{type}.RetryDelay must not be negative, and MaxRetryDelay must be at least RetryDelay and at most 1 hour (defaults 1 second and 30 seconds).");
        }
    }
}
