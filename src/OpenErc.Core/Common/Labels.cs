using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace OpenErc.Core.Common;

/// <summary>Russian names of enum members, taken from their <see cref="DisplayAttribute"/>.</summary>
public static class Labels
{
    private static readonly ConcurrentDictionary<Enum, string> Cache = new();

    public static string Title(this Enum value) => Cache.GetOrAdd(value, v =>
        v.GetType().GetField(v.ToString())?.GetCustomAttribute<DisplayAttribute>()?.Name ?? v.ToString());
}

/// <summary>A registry object: a row with a surrogate key that the API and the audit history address.</summary>
public interface IRegistryObject
{
    long Id { get; set; }
}
