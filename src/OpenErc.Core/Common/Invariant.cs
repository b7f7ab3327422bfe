namespace OpenErc.Core.Common;

/// <summary>Always-on checks for bugs (not for bad input): a failure rolls the unit of work back, loudly.</summary>
public static class Invariant
{
    public static void Holds(bool condition, string what)
    {
        if (!condition) throw new InvariantViolationException(what);
    }
}

public sealed class InvariantViolationException(string message) : Exception("Invariant violated: " + message);
