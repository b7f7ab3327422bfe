using System.ComponentModel.DataAnnotations;

namespace OpenErc.Core.Common;

public enum AuditAction
{
    [Display(Name = "Создание")] Created = 1,
    [Display(Name = "Изменение")] Updated = 2,
    [Display(Name = "Удаление")] Deleted = 3,
}

/// <summary>One field of a change: its value before and after (as text, invariant culture).</summary>
public sealed record FieldChange(string Field, string? From, string? To);

/// <summary>An entry of the registry archive: who changed what object, when, from what to what, and why.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public string EntityType { get; set; } = "";
    public long EntityId { get; set; }
    public AuditAction Action { get; set; }
    public List<FieldChange> Changes { get; set; } = [];
    public string Actor { get; set; } = "";
    public string? Reason { get; set; }
    public DateTimeOffset At { get; set; }
}
