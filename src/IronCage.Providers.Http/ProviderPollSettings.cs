namespace IronCage.Providers.Http;

/// <summary>How a long-running provider operation is polled (<see cref="ProviderHttpCalls.PollAsync"/>).</summary>
/// <param name="Interval">The first wait between polls (doubled up to <paramref name="MaxInterval"/>).</param>
/// <param name="MaxInterval">The longest wait between polls.</param>
/// <param name="Timeout">The overall deadline of the operation.</param>
public sealed record ProviderPollSettings(TimeSpan Interval, TimeSpan MaxInterval, TimeSpan Timeout);
