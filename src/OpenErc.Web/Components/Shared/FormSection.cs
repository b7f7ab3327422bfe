namespace OpenErc.Web.Components.Shared;

/// <summary>A titled group of fields of an edit form, by property name.</summary>
public sealed record FormSection(string? Title, params string[] Fields);
