namespace IronCage.Rotation;

/// <summary>Progress of <see cref="IKeyRewrapper.RewrapAsync"/>, reported after each batch.</summary>
/// <param name="Batch">The batch just finished (1-based).</param>
/// <param name="KeysDone">Keys handled so far.</param>
/// <param name="KeysTotal">Keys that needed re-wrapping when the run started.</param>
/// <param name="VersionsRewrapped">Versions re-wrapped so far.</param>
public readonly record struct KeyRewrapProgress(int Batch, int KeysDone, int KeysTotal, int VersionsRewrapped);
