using IronCage.Providers;

namespace IronCage.Testing;

/// <summary>An operation of <see cref="FakeProviderAdapter"/> that can be scripted and is recorded.</summary>
public enum FakeProviderOperation
{
    /// <summary><see cref="IProviderAdapter.CreateKeyAsync"/>.</summary>
    Create = 0,

    /// <summary><see cref="IProviderAdapter.ListKeysAsync"/>.</summary>
    List = 1,

    /// <summary><see cref="IProviderAdapter.GetKeyAsync"/>.</summary>
    Get = 2,

    /// <summary><see cref="IProviderAdapter.VerifyAsync"/>.</summary>
    Verify = 3,

    /// <summary><see cref="IProviderAdapter.DeactivateKeyAsync"/>.</summary>
    Deactivate = 4,

    /// <summary><see cref="IProviderAdapter.DeleteKeyAsync"/>.</summary>
    Delete = 5,

    /// <summary><see cref="IProviderAdapter.UndeleteKeyAsync"/>.</summary>
    Undelete = 6,

    /// <summary><see cref="IProviderAdapter.RegenerateSlotAsync"/>.</summary>
    Regenerate = 7,

    /// <summary><see cref="IKeyGeneratingProviderAdapter.GenerateKeyAsync"/>.</summary>
    Generate = 8,
}
