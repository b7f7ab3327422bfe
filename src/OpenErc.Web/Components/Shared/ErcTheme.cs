using MudBlazor;

namespace OpenErc.Web.Components.Shared;

/// <summary>The centre's colours, shared by the workstation and the cabinet.</summary>
public static class ErcTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#1f5fa8", AppbarBackground = "#1f5fa8" },
    };
}
