using System.Runtime.CompilerServices;

namespace OpenErc.Core.Common;

/// <summary>Always-on checks for bugs (not for bad input): a failure rolls the unit of work back, loudly.</summary>
public static class Invariant
{
    public static void Holds(bool condition, string what)
    {
        if (!condition) throw new InvariantViolationException(what);
    }

    /// <summary>
    /// As above, with the message written only when the check fails: a check on every charge line (its key, its fields)
    /// with an interpolated message formatted its values each time, passing or not.
    /// </summary>
    public static void Holds(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage what)
    {
        if (!condition) throw new InvariantViolationException(what.ToStringAndClear());
    }
}

/// <summary>The message of a failed <see cref="Invariant.Holds(bool, ref FailureMessage)"/>, formatted only on failure.</summary>
[InterpolatedStringHandler]
public ref struct FailureMessage
{
    private DefaultInterpolatedStringHandler _text;

    public FailureMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        shouldAppend = !condition;
        _text = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);

    public void AppendFormatted<T>(T value, int alignment) => _text.AppendFormatted(value, alignment);

    public void AppendFormatted<T>(T value, int alignment, string? format) => _text.AppendFormatted(value, alignment, format);

    public void AppendFormatted(ReadOnlySpan<char> value) => _text.AppendFormatted(value);

    public void AppendFormatted(string? value) => _text.AppendFormatted(value);

    public string ToStringAndClear() => _text.ToStringAndClear();
}

public sealed class InvariantViolationException(string message) : Exception("Invariant violated: " + message);
