using System.Text.Json;
using IronCage.Verification;

namespace IronCage.Providers.Http;

/// <summary>A successful answer of <see cref="ProviderHttp"/>: its JSON body (if any) and its classification.</summary>
/// <param name="Body">The parsed body; <see langword="null"/> when the answer had none (or a 404 that means "not found").</param>
/// <param name="Classification">How the answer was classified.</param>
public sealed record ProviderAnswer(JsonElement? Body, ProviderResponseClassification Classification);
