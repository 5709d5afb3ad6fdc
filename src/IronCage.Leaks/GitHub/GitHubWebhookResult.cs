using IronCage.Leaks.Response;

namespace IronCage.Leaks.GitHub;

/// <summary>What the webhook handler did with one delivery, and the HTTP status a receiver should answer with.</summary>
/// <param name="StatusCode">The status to answer GitHub with: 202 handled, 204 ignored, 401 bad signature, 400 bad payload.</param>
/// <param name="Response">The leak response, when the delivery was a secret scanning alert that was handled.</param>
public sealed record GitHubWebhookResult(int StatusCode, LeakResponse? Response);
