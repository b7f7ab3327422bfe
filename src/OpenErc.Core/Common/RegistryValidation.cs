using System.ComponentModel.DataAnnotations;

namespace OpenErc.Core.Common;

/// <summary>Validates a registry object: field attributes and the object's own rules, all at once.</summary>
public static class RegistryValidation
{
    /// <summary>Messages (Russian) by property name; empty when the object is valid.</summary>
    public static Dictionary<string, string[]> Validate(object item)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(item, new ValidationContext(item), results, validateAllProperties: true);
        // The validator skips IValidatableObject when an attribute already failed; people want every error at once.
        if (results.Count > 0 && item is IValidatableObject own)
            results.AddRange(own.Validate(new ValidationContext(item)));
        return results
            .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [""]).Select(m => (Member: m, Message: r.ErrorMessage ?? "Неверное значение")))
            .GroupBy(x => x.Member)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Message).Distinct().ToArray());
    }
}
