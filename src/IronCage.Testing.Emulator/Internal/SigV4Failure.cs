namespace IronCage.Testing.Emulator.Internal;

/// <summary>Why <see cref="SigV4Verifier"/> refused a request.</summary>
internal enum SigV4Failure
{
    /// <summary>No <c>Authorization</c> header.</summary>
    Missing,

    /// <summary>The header lacks <c>Credential</c>, <c>SignedHeaders</c> or <c>Signature</c>.</summary>
    Incomplete,

    /// <summary>The access key id is not the one the emulator knows.</summary>
    UnknownAccessKey,

    /// <summary>The signature is not the one the secret access key gives.</summary>
    SignatureMismatch,

    /// <summary>The credential scope names another region or service.</summary>
    WrongScope,

    /// <summary>X-Amz-Date is missing or more than 5 minutes from the emulator's time.</summary>
    Expired,
}
