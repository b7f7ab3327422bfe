namespace OpenErc.Core.Common;

/// <summary>A value in force over <c>[ValidFrom, ValidTo)</c>: the snapshot form of an effective-dated registry row.</summary>
public sealed record Dated<T>(DateOnly ValidFrom, DateOnly? ValidTo, T Value) : IEffectiveDated;
