using IronCage.Rotation;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Dashboard;

/// <summary>An error to show on a dashboard page: status, message, the form field it concerns (and its name for people, when the id is not one) and how to fix it. Built from IronCage's exception family, whose messages never carry a secret.</summary>
internal sealed record DashboardError(int Status, string Title, string Message, string? Field = null, string? Fix = null, string? FieldLabel = null)
{
    public static DashboardError? From(Exception exception) => exception switch
    {
        // The validator's message already names the fix (the provider it belongs to, or the expected shape and the console).
        KeyFormatException format => new(StatusCodes.Status400BadRequest, "The key does not have the provider's format.", format.Message, "key"),
        UnknownProviderException unknown => new(StatusCodes.Status400BadRequest, "Unknown provider.", unknown.Message, "provider"),
        RotationPolicyException policy => new(StatusCodes.Status400BadRequest, "Invalid rotation schedule.", policy.Message, "rotationSchedule"),
        ManagedKeyNotFoundException notFound => new(StatusCodes.Status404NotFound, "No such managed key.", notFound.Message),
        ManagedKeyAlreadyExistsException exists => new(StatusCodes.Status409Conflict, "The managed key exists.", exists.Message, "name", "Choose another name, or rotate the existing key."),
        RotationConflictException conflict => new(StatusCodes.Status409Conflict, "A rotation is under way.", conflict.Message, Fix: "Wait for it to finish, or cancel it in the rotation history."),
        ConcurrencyConflictException concurrency => new(StatusCodes.Status409Conflict, "The key changed meanwhile.", concurrency.Message, Fix: "Reload the page and try again."),
        ProviderRequestException provider when provider.Kind == ProviderErrorKind.InvalidKey || provider.Kind == ProviderErrorKind.Forbidden
            => new(StatusCodes.Status400BadRequest, "The provider rejected the key.", provider.Message, "key", "Check the key in the provider's console; it must be live and allowed to make the verify call."),
        ProviderRequestException provider => new(StatusCodes.Status502BadGateway, "The provider refused or failed.", provider.Message),
        NotSupportedByProviderException unsupported => new(StatusCodes.Status422UnprocessableEntity, "The provider cannot do that.", unsupported.Message),
        StoreUnavailableException store => new(StatusCodes.Status503ServiceUnavailable, "The store is unavailable.", store.Message),
        NoUsableKeyException none => new(StatusCodes.Status409Conflict, "No usable key.", none.Message),
        IronCageException other => new(StatusCodes.Status409Conflict, "The operation does not apply to the key's state.", other.Message),
        ArgumentException argument => new(StatusCodes.Status400BadRequest, "Invalid input.", argument.Message),
        _ => null,
    };
}
