namespace IronCage.Rotation;

/// <summary>How the engine reads a failed step: whether it is one, whether waiting helps, and how to describe it without secrets.</summary>
internal static class StepFailures
{
    /// <summary>Marks an exception as a simulated process crash (tests): it ends the call instead of being handled as a step failure.</summary>
    public const string SimulatedCrashMarker = "IronCage.Rotation.SimulatedCrash";

    // Every failure of a step is handled (retried, deferred, rolled back or recorded), except: the caller cancelling
    // (the operation stays recorded and resumes later), a concurrent engine winning the operation, and a crash
    // simulated after a step was recorded (tests only).
    public static bool IsStepFailure(Exception exception, CancellationToken cancellationToken)
        => exception is not RotationConflictException
            && !exception.Data.Contains(SimulatedCrashMarker)
            && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    public static bool IsRetryable(ProviderErrorKind kind) => kind == ProviderErrorKind.Transient || kind == ProviderErrorKind.RateLimited;

    // A provider that could not be reached (an adapter that let a transport error through): worth another try.
    public static bool IsTransportFailure(Exception exception)
        => exception is HttpRequestException or IOException or TimeoutException or OperationCanceledException;

    public static string Describe(Exception exception) => exception switch
    {
        ProviderRequestException provider => $"{provider.Kind}: {provider.Message}",
        IronCageException => exception.Message,
        _ => $"{exception.GetType().Name}: {Internal.SecretScrubber.Scrub(exception.Message)}",
    };

    public static async Task DelayAsync(RotationOptions options, ProviderRequestException? failure, CancellationToken cancellationToken)
    {
        var delay = failure?.RetryAfter is { } retryAfter && retryAfter > options.RetryDelay ? retryAfter : options.RetryDelay;
        if (delay > options.MaxRetryDelay)
        {
            delay = options.MaxRetryDelay;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }
}
