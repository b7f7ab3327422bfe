using OpenErc.Core.Common;

namespace OpenErc.Web.Components.Shared;

/// <summary>A registry object whose history to show: its type name (as the audit archive stores it) and id.</summary>
public sealed record HistoryTarget(string Type, long Id)
{
    public static HistoryTarget Of<T>(long id) where T : IRegistryObject => new(typeof(T).Name, id);

    public static IEnumerable<HistoryTarget> Of<T>(IEnumerable<T> items) where T : IRegistryObject =>
        items.Select(i => new HistoryTarget(typeof(T).Name, i.Id));
}
