namespace IronCage.Providers;

/// <summary>
/// How keys of a provider are rotated, derived from its <see cref="ProviderCapabilities"/>
/// (see <see cref="ProviderDescriptor.Tier"/>).
/// </summary>
public enum RotationTier
{
    /// <summary>
    /// Reminders only: the provider has no key API that can both mint a new key and retire the old one,
    /// so an operator rotates in the console and IronCage verifies the result.
    /// </summary>
    Manual = 0,

    /// <summary>
    /// The provider can retire keys by API but not create them: an operator creates the new key and
    /// supplies it; IronCage verifies, promotes it and deactivates the old one (Anthropic).
    /// </summary>
    SemiAutomatic = 1,

    /// <summary>Create a new key, verify, promote, and delete or deactivate the old one after grace.</summary>
    Automatic = 2,

    /// <summary>
    /// Two fixed slots: regenerate the slot not in use, promote it, and after grace regenerate the old
    /// slot so its value dies (Azure key1/key2).
    /// </summary>
    SlotAlternating = 3,

    /// <summary>Like <see cref="Automatic"/>, with a soft delete that rollback can undo (Google).</summary>
    CreateThenDelete = 4,

    /// <summary>
    /// IronCage mints the key itself from host credentials (Amazon Bedrock short-term API keys) and mints the next one
    /// before the current one expires. There is nothing to revoke at the provider: a replaced key stops being served at
    /// once but stays valid until its own expiry.
    /// </summary>
    Generated = 5,
}
