using IronCage.Rotation;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Internal;

/// <summary>Maps IronCage's exception family to RFC 9457 Problem Details. Messages are IronCage's own, which never carry a secret.</summary>
internal static class AdminProblems
{
    private const string TypeBase = "https://ironcage.dev/problems/";

    public static IResult Field(string field, string detail, string? fix = null)
        => Results.ValidationProblem(
            new Dictionary<string, string[]> { [field] = [fix is null ? detail : $"{detail} {fix}"] },
            detail: detail,
            title: $"The field '{field}' is invalid.",
            type: TypeBase + "invalid-field",
            extensions: fix is null ? null : new Dictionary<string, object?> { ["fix"] = fix });

    public static IResult Status(int status, string title, string detail, string type, IDictionary<string, object?>? extensions = null)
        => Results.Problem(detail: detail, statusCode: status, title: title, type: TypeBase + type, extensions: extensions);

    public static bool TryMap(Exception exception, out IResult problem)
    {
        problem = exception switch
        {
            // The validator's message names the fix already (the provider the key belongs to, or the expected shape and console).
            KeyFormatException format => Field("key", format.Message),
            UnknownProviderException unknown => Field("provider", unknown.Message),
            RotationPolicyException policy => Field("rotationSchedule", policy.Message),
            ManagedKeyNotFoundException notFound => Status(StatusCodes.Status404NotFound, "No such managed key.", notFound.Message, "key-not-found"),
            ManagedKeyAlreadyExistsException exists => Status(StatusCodes.Status409Conflict, "The managed key exists.", exists.Message, "key-exists"),
            RotationConflictException conflict => Status(StatusCodes.Status409Conflict, "A rotation is under way.", conflict.Message, "rotation-conflict", new Dictionary<string, object?> { ["activeOperationId"] = conflict.ActiveOperationId, ["activeStep"] = conflict.ActiveStep.ToString() }),
            ConcurrencyConflictException concurrency => Status(StatusCodes.Status409Conflict, "The key changed meanwhile.", concurrency.Message, "concurrency-conflict"),
            ProviderRequestException provider when provider.Kind == ProviderErrorKind.InvalidKey || provider.Kind == ProviderErrorKind.Forbidden
                => Field("key", provider.Message, "Check the key in the provider's console; it must be live and allowed to make the verify call."),
            ProviderRequestException provider => Status(StatusCodes.Status502BadGateway, "The provider refused or failed.", provider.Message, "provider-error", new Dictionary<string, object?> { ["provider"] = provider.Provider.Value, ["kind"] = provider.Kind.ToString(), ["providerStatus"] = provider.StatusCode, ["requestId"] = provider.RequestId }),
            NotSupportedByProviderException unsupported => Status(StatusCodes.Status422UnprocessableEntity, "The provider cannot do that.", unsupported.Message, "not-supported"),
            StoreUnavailableException store => Status(StatusCodes.Status503ServiceUnavailable, "The store is unavailable.", store.Message, "store-unavailable"),
            SecretDecryptionException decryption => Status(StatusCodes.Status500InternalServerError, "A stored secret does not open.", decryption.Message, "secret-decryption"),
            KeyStateTamperedException tampered => Status(StatusCodes.Status500InternalServerError, "A stored key's state was edited outside IronCage.", tampered.Message, "key-state-tampered"),
            NoUsableKeyException none => Status(StatusCodes.Status409Conflict, "No usable key.", none.Message, "no-usable-key"),
            IronCageException other => Status(StatusCodes.Status409Conflict, "The operation does not apply to the key's state.", other.Message, "invalid-state"),
            ArgumentException argument => Status(StatusCodes.Status400BadRequest, "Invalid argument.", argument.Message, "invalid-argument"),
            System.Text.Json.JsonException json => Status(StatusCodes.Status400BadRequest, "The body is not valid JSON for this route.", $"The request body could not be read at {json.Path ?? "$"}: send the shape the OpenAPI document gives.", "invalid-body"),
            _ => null!,
        };

        return problem is not null;
    }
}
