namespace IronCage.Auditing;

/// <summary>How an audit chain was found broken.</summary>
public enum AuditTamperKind
{
    /// <summary>A record's content no longer matches its hash.</summary>
    Modified = 0,

    /// <summary>A record is missing (a gap in the sequence, or the log ends before a known checkpoint).</summary>
    Missing = 1,

    /// <summary>Records are out of order.</summary>
    Reordered = 2,

    /// <summary>A record does not link to the hash of the one before it (it was replaced, or its predecessor rewritten).</summary>
    BrokenLink = 3,

    /// <summary>A record appears twice.</summary>
    Duplicated = 4,

    /// <summary>A record's stored event cannot be read back (corrupt or foreign content): it was changed outside IronCage.</summary>
    Unreadable = 5,

    /// <summary>A record stands after the last one the log's own head row knows: it was added outside IronCage, or the head row was set back.</summary>
    Inserted = 6,
}
