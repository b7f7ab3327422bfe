using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Storage;

namespace OpenErc.Web.Components.Shared;

/// <summary>
/// The state of an edit form: the object being edited and the messages to show next to its fields —
/// those of <see cref="RegistryValidation"/> and those of fields whose text could not be read.
/// </summary>
public sealed class FormState(object model)
{
    /// <summary>Key of messages that belong to no single field.</summary>
    public const string General = "";

    public object Model { get; } = model;
    public Dictionary<string, string[]> Errors { get; set; } = [];
    public Dictionary<string, string> InputErrors { get; } = [];

    public string? ErrorOf(string field) =>
        InputErrors.TryGetValue(field, out var input) ? input
        : Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public bool HasErrors => Errors.Count > 0 || InputErrors.Count > 0;

    public IEnumerable<string> Unplaced(IEnumerable<string> shownFields) =>
        Errors.Where(e => !shownFields.Contains(e.Key)).SelectMany(e => e.Value);
}

/// <summary>Saving registry objects from the workstation: validated first, stamped with who and why, audited by the context.</summary>
public static class RegistrySave
{
    /// <summary>Key of the message about a missing reason.</summary>
    public const string ReasonField = "Reason";

    public static void Stamp(OpenErcDbContext db, string actor, string reason)
    {
        db.Actor = actor;
        db.Reason = reason.Trim();
    }

    /// <summary>The reason for a change is required: the archive must say why.</summary>
    public static string? CheckReason(string? reason) => string.IsNullOrWhiteSpace(reason) ? "Укажите причину изменения" : null;

    /// <summary>
    /// Validates <paramref name="model"/> and saves it (insert when its id is 0, else update of the stored row,
    /// so that the audit sees each field from → to). Returns the messages by field; nothing is saved when any.
    /// </summary>
    public static async Task<Dictionary<string, string[]>> SaveAsync<T>(OpenErcDbContext db, T model, string actor, string? reason, CancellationToken ct = default)
        where T : class, IRegistryObject
    {
        var errors = RegistryValidation.Validate(model);
        if (CheckReason(reason) is { } noReason) errors[ReasonField] = [noReason];
        if (errors.Count > 0) return errors;

        Stamp(db, actor, reason!);
        if (model.Id == 0)
            db.Add(model);
        else
        {
            var stored = await db.Set<T>().SingleAsync(x => x.Id == model.Id, ct);
            db.Entry(stored).CurrentValues.SetValues(model);
        }
        return await TrySaveAsync(db, ct);
    }

    /// <summary>Saves, turning a broken unique key or reference into a message for the person (nothing is saved then).</summary>
    public static async Task<Dictionary<string, string[]>> TrySaveAsync(OpenErcDbContext db, CancellationToken ct = default)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return [];
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg)
        {
            return Conflict(pg.ConstraintName);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            return new() { [FormState.General] = ["Указана ссылка на несуществующую запись"] };
        }
    }

    private static Dictionary<string, string[]> Conflict(string? constraint) => constraint switch
    {
        "ix_personal_accounts_number" => new() { ["Number"] = ["Лицевой счёт с таким номером уже есть"] },
        "ix_premises_building_id_number" => new() { ["Number"] = ["В доме уже есть помещение с таким номером"] },
        "ix_services_code" => new() { ["Code"] = ["Услуга с таким кодом уже есть"] },
        _ => new() { [FormState.General] = [$"Такая запись уже есть ({constraint})"] },
    };
}
