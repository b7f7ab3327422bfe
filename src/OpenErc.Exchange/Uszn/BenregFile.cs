using System.Globalization;
using OpenErc.Core.Benefits;
using OpenErc.Core.Residents;

namespace OpenErc.Exchange.Uszn;

/// <summary>What a BENREG row does to the right <see cref="BenefitRightRow.RightId"/>.</summary>
public enum BenefitRightAction { Add, Change, Close }

/// <summary>
/// One row of the registry of rights <c>BENREG</c> (УСЗН → ЕРЦ, benefits.md §6.1): a right of a person on an account.
/// <see cref="ValidTo"/> is the last day of the right as written (inclusive), null when open;
/// <see cref="Snils"/> is normalised to <c>000-000-000 00</c>.
/// </summary>
public sealed record BenefitRightRow(
    int Line, string RightId, BenefitRightAction Action, string PersonId, string? Snils, string LastName, string FirstName, string? MiddleName,
    DateOnly BirthDate, string AccountNumber, string? Els, Guid? HouseFiasGuid, string? Flat, string CategoryCode, string? LegalBasis,
    BenefitDeliveryMode Form, decimal Rate, IReadOnlyList<BenefitServiceGroup> Services, IReadOnlyList<string> CoveredPersonIds, int? FamilySize,
    decimal? AreaStandardM2, int? ShareNum, int? ShareDen, DateOnly ValidFrom, DateOnly? ValidTo, string? DecisionNo, DateOnly? DecisionDate);

/// <summary>A BENREG file read: all its rows, or none and every error (whole or nothing).</summary>
public sealed record BenregParse(UsznFileName? Name, IReadOnlyList<BenefitRightRow> Rows, IReadOnlyList<BenefitRowProblem> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Reads the registry of rights <c>BENREG</c> (benefits.md §6.1, the common layout of <see cref="UsznCsv"/>): columns by
/// their names in the header, in any order; the trailer sums <c>Rate</c> (the file has no money). Only the file itself
/// is checked — formats, dates, rates, SNILS check numbers, repeated RightIds, the trailer; matching the rows against
/// accounts and residents is the caller's (<see cref="BenefitRowError"/>). Any error refuses the whole file.
/// </summary>
public static class BenregFile
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "RightId", "Action", "PersonId", "Snils", "LastName", "FirstName", "MiddleName", "BirthDate", "AccountNumber", "Els", "HouseFiasGuid", "Flat",
        "CategoryCode", "LegalBasis", "Form", "Rate", "Services", "CoveredPersonIds", "FamilySize", "AreaStandardM2", "ShareNum", "ShareDen",
        "ValidFrom", "ValidTo", "DecisionNo", "DecisionDate",
    ];

    public static BenregParse Parse(byte[] content, string fileName)
    {
        var (name, rows, errors) = UsznRows.Parse(content, fileName, UsznFileName.Benreg, Columns, "RightId", "Rate", Row, r => (r.Line, r.RightId, r.AccountNumber),
            r => r.Rate);
        return new(name, rows, errors);
    }

    private static List<string> List(string? text) => text is null ? [] : [.. text.Split(',').Select(s => s.Trim())];

    private static BenefitRightRow? Row(UsznRowReader r)
    {
        if (!r.Start()) return null;
        var action = r.Code("Action", ("ADD", BenefitRightAction.Add), ("CHANGE", BenefitRightAction.Change), ("CLOSE", BenefitRightAction.Close));
        var person = r.Text("PersonId", true);
        var snils = r.Snils();
        var (last, first, middle) = (r.Text("LastName", true), r.Text("FirstName", true), r.Text("MiddleName"));
        var birth = r.Date("BirthDate", true);
        var els = r.Text("Els");
        Guid? house = null;
        if (r.Text("HouseFiasGuid") is { } fias)
            if (Guid.TryParse(fias, out var g)) house = g;
            else r.Fail("HouseFiasGuid", $"«{fias}» — не GUID ФИАС");
        var flat = r.Text("Flat");
        var category = r.Text("CategoryCode", true);
        var legal = r.Text("LegalBasis");
        var form = r.Code("Form", ("CASH", BenefitDeliveryMode.Cash), ("INKIND", BenefitDeliveryMode.InKind));
        var rate = r.Number("Rate", required: true);
        if (rate is { } share && share is <= 0 or > 1) r.Fail("Rate", $"{share.ToString(CultureInfo.InvariantCulture)} — доля должна быть больше 0 и не больше 1");
        var services = Services(r);
        var covered = List(r.Text("CoveredPersonIds"));
        if (covered.Any(c => c.Length == 0)) r.Fail("CoveredPersonIds", "пустой код в списке");
        else if (covered.Count > 0 && person is not null && covered[0] != person) r.Fail("CoveredPersonIds", $"первым указывается льготник «{person}»");
        var family = r.Whole("FamilySize", 1);
        var area = r.Number("AreaStandardM2", 2);
        if (area is 0m) r.Fail("AreaStandardM2", "площадь должна быть больше 0");
        var (num, den) = (r.Whole("ShareNum", 1), r.Whole("ShareDen", 1));
        if ((num is null) != (den is null)) r.Fail("ShareNum", "ShareNum и ShareDen заполняются вместе");
        else if (num > den) r.Fail("ShareNum", $"доля {num}/{den} больше единицы");
        var (from, to) = r.Dates(toRequired: false);
        if (action == BenefitRightAction.Close && to is null && r.Text("ValidTo") is null)
            r.Fail("ValidTo", "для CLOSE указывается последний день права", BenefitRowError.BadDates);
        var (decisionNo, decisionDate) = (r.Text("DecisionNo"), r.Date("DecisionDate"));
        if (r.Failed) return null;
        return new(r.Line, r.Id, action!.Value, person!, snils, last!, first!, middle, birth!.Value, r.Account, els, house, flat, category!, legal, form!.Value,
            rate!.Value, services, covered.Count > 0 ? covered : [person!], family, area, num, den, from!.Value, to, decisionNo, decisionDate);
    }

    private static List<BenefitServiceGroup> Services(UsznRowReader r)
    {
        var services = new List<BenefitServiceGroup>();
        foreach (var code in List(r.Text("Services", true)))
            if (BenefitServiceGroups.TryParse(code, out var group)) { if (!services.Contains(group)) services.Add(group); }
            else r.Fail("Services", $"«{code}» — не код группы услуг ({string.Join(", ", Enum.GetValues<BenefitServiceGroup>().Select(g => g.Code()))})");
        return services;
    }
}
