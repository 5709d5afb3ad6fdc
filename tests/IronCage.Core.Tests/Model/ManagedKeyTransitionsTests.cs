using IronCage.Encryption;
using NodaTime;

namespace IronCage.Core.Tests.Model;

public sealed class ManagedKeyTransitionsTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0);
    private static readonly Instant Later = T0 + Duration.FromHours(1);

    [Fact]
    public void AddPending_NewVersion_AddsIt()
    {
        var key = Key(Version("kv_1", KeyStage.Current));

        var changed = ManagedKeyTransitions.AddPending(key, Version("kv_2", KeyStage.Pending));

        changed.PendingVersion!.VersionId.Should().Be("kv_2");
        key.Versions.Should().ContainSingle("the input is never changed");
    }

    [Fact]
    public void AddPending_VersionAlreadyThere_ReturnsSameInstance()
    {
        var key = Key(Version("kv_1", KeyStage.Current), Version("kv_2", KeyStage.Pending));

        ManagedKeyTransitions.AddPending(key, Version("kv_2", KeyStage.Pending)).Should().BeSameAs(key);
    }

    [Fact]
    public void AddPending_NotPending_Throws()
    {
        var act = () => ManagedKeyTransitions.AddPending(Key(), Version("kv_2", KeyStage.Current));

        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Promote_Pending_MakesItCurrentAndCurrentPrevious(bool killReplaced)
    {
        var key = Key(Version("kv_1", KeyStage.Current), Version("kv_2", KeyStage.Pending));

        var changed = ManagedKeyTransitions.Promote(key, "kv_2", Later, killReplaced);

        changed.CurrentVersion!.VersionId.Should().Be("kv_2");
        changed.CurrentVersion.ActivatedAt.Should().Be(Later);
        var previous = changed.FindVersion("kv_1")!;
        previous.Stage.Should().Be(KeyStage.Previous);
        previous.KilledAt.Should().Be(killReplaced ? Later : null);
        changed.Validate();
    }

    [Fact]
    public void Promote_AlreadyCurrent_ReturnsSameInstance()
    {
        var key = Key(Version("kv_1", KeyStage.Previous), Version("kv_2", KeyStage.Current));

        ManagedKeyTransitions.Promote(key, "kv_2", Later, killReplaced: false).Should().BeSameAs(key);
    }

    [Fact]
    public void Promote_MissingVersion_Throws()
    {
        var act = () => ManagedKeyTransitions.Promote(Key(Version("kv_1", KeyStage.Current)), "kv_9", Later, killReplaced: false);

        act.Should().Throw<IronCageException>().WithMessage("*no version 'kv_9'*");
    }

    [Fact]
    public void Kill_LiveVersion_KillsOnce()
    {
        var key = Key(Version("kv_1", KeyStage.Current));

        var killed = ManagedKeyTransitions.Kill(key, "kv_1", Later);

        killed.FindVersion("kv_1")!.IsServable.Should().BeFalse();
        ManagedKeyTransitions.Kill(killed, "kv_1", Later + Duration.FromHours(1)).Should().BeSameAs(killed, "a kill is recorded once, at its first instant");
    }

    [Fact]
    public void MarkRevoked_Previous_RevokesOnce()
    {
        var key = Key(Version("kv_1", KeyStage.Previous), Version("kv_2", KeyStage.Current));

        var revoked = ManagedKeyTransitions.MarkRevoked(key, "kv_1", Later);

        revoked.FindVersion("kv_1").Should().Match<KeyVersion>(v => v.Stage == KeyStage.Revoked && v.RevokedAt == Later);
        ManagedKeyTransitions.MarkRevoked(revoked, "kv_1", Later).Should().BeSameAs(revoked);
        ManagedKeyTransitions.MarkRevoked(revoked, "kv_9", Later).Should().BeSameAs(revoked);
    }

    [Fact]
    public void DiscardPending_OnlyTouchesAPendingVersion()
    {
        var key = Key(Version("kv_1", KeyStage.Current), Version("kv_2", KeyStage.Pending));

        var discarded = ManagedKeyTransitions.DiscardPending(key, "kv_2", Later);

        discarded.PendingVersion.Should().BeNull();
        discarded.FindVersion("kv_2")!.Stage.Should().Be(KeyStage.Revoked);
        ManagedKeyTransitions.DiscardPending(discarded, "kv_1", Later).Should().BeSameAs(discarded, "a Current version is never discarded");
    }

    [Fact]
    public void MarkRevocationFailed_LiveVersion_KillsAndRecordsTheInstantOnce()
    {
        var key = Key(Version("kv_1", KeyStage.Previous), Version("kv_2", KeyStage.Current));

        var marked = ManagedKeyTransitions.MarkRevocationFailed(key, "kv_1", Later);

        var version = marked.FindVersion("kv_1")!;
        version.RevocationFailedAt.Should().Be(Later);
        version.KilledAt.Should().Be(Later);
        ManagedKeyTransitions.MarkRevocationFailed(marked, "kv_1", Later + Duration.FromHours(1)).Should().BeSameAs(marked);
    }

    [Fact]
    public void Restore_NoCurrentVersion_MakesRevokedVersionCurrentAgainStillKilled()
    {
        var key = Key(Version("kv_1", KeyStage.Revoked) with { RevokedAt = T0, KilledAt = T0 });

        var restored = ManagedKeyTransitions.Restore(key, "kv_1");

        restored.CurrentVersion!.VersionId.Should().Be("kv_1");
        restored.CurrentVersion.RevokedAt.Should().BeNull();
        restored.CurrentVersion.IsServable.Should().BeFalse("a person decides when a restored key is served again");
    }

    [Fact]
    public void Restore_KeyHasCurrentVersion_ReturnsSameInstance()
    {
        var key = Key(Version("kv_1", KeyStage.Revoked), Version("kv_2", KeyStage.Current));

        ManagedKeyTransitions.Restore(key, "kv_1").Should().BeSameAs(key);
    }

    [Fact]
    public void MarkExpiryWarned_RecordsOnce()
    {
        var key = Key(Version("kv_1", KeyStage.Current));

        var warned = ManagedKeyTransitions.MarkExpiryWarned(key, "kv_1", Later);

        warned.FindVersion("kv_1")!.ExpiryWarnedAt.Should().Be(Later);
        ManagedKeyTransitions.MarkExpiryWarned(warned, "kv_1", Later + Duration.FromDays(1)).Should().BeSameAs(warned);
    }

    private static ManagedKey Key(params KeyVersion[] versions) => new() { Reference = KeyReference.Parse("openai/prod"), CreatedAt = T0, Versions = versions };

    private static KeyVersion Version(string id, KeyStage stage) => new()
    {
        VersionId = id,
        Stage = stage,
        CreatedAt = T0,
        DisplayHint = "sk-…" + id,
        Fingerprint = "fp-" + id,
        Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[] { 1 }, Nonce = new byte[12], Ciphertext = new byte[] { 2 } },
    };
}
