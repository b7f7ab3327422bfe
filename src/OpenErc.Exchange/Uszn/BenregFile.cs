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
        var errors = new List<BenefitRowProblem>();
        void FileError(int? line, string reason) => errors.Add(new(line, null, null, BenefitRowError.BadFormat, reason));
        var name = UsznFileName.TryParse(fileName);
        if (name is null || name.Kind != UsznFileName.Benreg)
            FileError(null, $"Имя файла «{Path.GetFileName(fileName)}» — не OPENERC_BENREG_<код ЕРЦ>_<код УСЗН>_<ГГГГММ>_<номер>.csv");
        var (header, lines, trailer) = UsznCsv.Read(content);
        if (header is null)
        {
            FileError(null, "Файл пуст");
            return new(name, [], errors);
        }
        var index = Header(header, FileError);
        var rows = new List<BenefitRightRow>();
        if (index is not null)
        {
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                var row = new Reader(line, index, errors).Row();
                if (row is null) continue;
                if (seen.TryGetValue(row.RightId, out int first))
                    errors.Add(new(line.Number, row.RightId, row.AccountNumber, BenefitRowError.BadFormat, $"RightId «{row.RightId}» уже был в строке {first}"));
                else seen[row.RightId] = line.Number;
                rows.Add(row);
            }
        }
        foreach (var (line, reason) in UsznCsv.CheckTrailer(trailer, lines.Count, rows.Count == lines.Count ? rows.Sum(r => r.Rate) : null, "Rate")) FileError(line, reason);
        return errors.Count > 0 ? new(name, [], errors) : new(name, rows, errors);
    }

    /// <summary>Column indexes by name; null (with the errors) when a column is missing, unknown or repeated.</summary>
    private static Dictionary<string, int>? Header(UsznLine header, Action<int?, string> error)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int defects = 0;
        for (int i = 0; i < header.Fields.Count; i++)
        {
            var column = header.Fields[i].Trim();
            if (!Columns.Contains(column)) error(header.Number, $"Неизвестный столбец «{column}»");
            else if (!index.TryAdd(column, i)) error(header.Number, $"Столбец «{column}» указан дважды");
            else continue;
            defects++;
        }
        foreach (var column in Columns.Where(c => !index.ContainsKey(c)))
        {
            error(header.Number, $"Нет столбца «{column}»");
            defects++;
        }
        return defects == 0 ? index : null;
    }

    /// <summary>The fields of one line by column name, every defect an error of the line.</summary>
    private sealed class Reader(UsznLine line, Dictionary<string, int> index, List<BenefitRowProblem> errors)
    {
        private readonly int _count = errors.Count;
        private string _right = "", _account = "";

        private void Fail(string column, string reason, BenefitRowError code = BenefitRowError.BadFormat) =>
            errors.Add(new(line.Number, _right.Length > 0 ? _right : null, _account.Length > 0 ? _account : null, code, $"{column}: {reason}"));

        private string? Text(string column, bool required = false)
        {
            var text = line.Fields[index[column]].Trim();
            if (text.Length > 0) return text;
            if (required) Fail(column, "не заполнено");
            return null;
        }

        private decimal? Number(string column, int? decimals = null)
        {
            if (Text(column) is not { } text) return null;
            if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) && (decimals is not { } n || decimal.Round(d, n) == d))
                return d;
            Fail(column, $"«{text}» — не число{(decimals is { } k ? $" с не более чем {k} знаками после точки" : "")}");
            return null;
        }

        private int? Whole(string column, int min)
        {
            if (Text(column) is not { } text) return null;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min) return n;
            Fail(column, $"«{text}» — не целое число от {min}");
            return null;
        }

        private DateOnly? Date(string column, bool required = false)
        {
            if (Text(column, required) is not { } text) return null;
            if (DateOnly.TryParseExact(text, "dd.MM.yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            Fail(column, $"«{text}» — не дата ДД.ММ.ГГГГ");
            return null;
        }

        private T? Code<T>(string column, params (string Code, T Value)[] values) where T : struct, Enum
        {
            if (Text(column, required: true) is not { } text) return null;
            foreach (var (code, value) in values)
                if (code == text) return value;
            Fail(column, $"«{text}» — не {string.Join(", ", values.Select(v => v.Code))}");
            return null;
        }

        private static List<string> List(string? text) => text is null ? [] : [.. text.Split(',').Select(s => s.Trim())];

        public BenefitRightRow? Row()
        {
            if (line.Fields.Count != index.Count)
            {
                errors.Add(new(line.Number, null, null, BenefitRowError.BadFormat, $"В строке {line.Fields.Count} полей, в заголовке {index.Count}"));
                return null;
            }
            _right = Text("RightId", true) ?? "";
            _account = Text("AccountNumber", true) ?? "";
            var action = Code("Action", ("ADD", BenefitRightAction.Add), ("CHANGE", BenefitRightAction.Change), ("CLOSE", BenefitRightAction.Close));
            var person = Text("PersonId", true);
            var snils = Text("Snils");
            if (snils is not null && !Snils.IsValid(snils)) Fail("Snils", $"«{snils}» — неверный СНИЛС (вид 000-000-000 00, контрольное число)");
            var (last, first, middle) = (Text("LastName", true), Text("FirstName", true), Text("MiddleName"));
            var birth = Date("BirthDate", true);
            var els = Text("Els");
            Guid? house = null;
            if (Text("HouseFiasGuid") is { } fias)
                if (Guid.TryParse(fias, out var g)) house = g;
                else Fail("HouseFiasGuid", $"«{fias}» — не GUID ФИАС");
            var flat = Text("Flat");
            var category = Text("CategoryCode", true);
            var legal = Text("LegalBasis");
            var form = Code("Form", ("CASH", BenefitDeliveryMode.Cash), ("INKIND", BenefitDeliveryMode.InKind));
            var rate = Number("Rate");
            if (rate is null && Text("Rate") is null) Fail("Rate", "не заполнено");
            else if (rate is { } r && r is <= 0 or > 1) Fail("Rate", $"{r.ToString(CultureInfo.InvariantCulture)} — доля должна быть больше 0 и не больше 1");
            var services = Services();
            var covered = List(Text("CoveredPersonIds"));
            if (covered.Any(c => c.Length == 0)) Fail("CoveredPersonIds", "пустой код в списке");
            else if (covered.Count > 0 && person is not null && covered[0] != person) Fail("CoveredPersonIds", $"первым указывается льготник «{person}»");
            var family = Whole("FamilySize", 1);
            var area = Number("AreaStandardM2", 2);
            if (area is 0m) Fail("AreaStandardM2", "площадь должна быть больше 0");
            var (num, den) = (Whole("ShareNum", 1), Whole("ShareDen", 1));
            if ((num is null) != (den is null)) Fail("ShareNum", "ShareNum и ShareDen заполняются вместе");
            else if (num > den) Fail("ShareNum", $"доля {num}/{den} больше единицы");
            var from = Date("ValidFrom", true);
            var to = Date("ValidTo");
            if (from is { } f && to is { } t && t < f)
                Fail("ValidTo", $"{UsznCsv.Date(t)} раньше ValidFrom {UsznCsv.Date(f)}", BenefitRowError.BadDates);
            if (action == BenefitRightAction.Close && to is null && Text("ValidTo") is null)
                Fail("ValidTo", "для CLOSE указывается последний день права", BenefitRowError.BadDates);
            var (decisionNo, decisionDate) = (Text("DecisionNo"), Date("DecisionDate"));
            if (errors.Count > _count) return null;
            return new(line.Number, _right, action!.Value, person!, snils is null ? null : Snils.Normalize(snils), last!, first!, middle, birth!.Value, _account, els,
                house, flat, category!, legal, form!.Value, rate!.Value, services, covered.Count > 0 ? covered : [person!], family, area, num, den, from!.Value, to,
                decisionNo, decisionDate);
        }

        private List<BenefitServiceGroup> Services()
        {
            var services = new List<BenefitServiceGroup>();
            var codes = List(Text("Services", true));
            foreach (var code in codes)
                if (BenefitServiceGroups.TryParse(code, out var group)) { if (!services.Contains(group)) services.Add(group); }
                else Fail("Services", $"«{code}» — не код группы услуг ({string.Join(", ", Enum.GetValues<BenefitServiceGroup>().Select(g => g.Code()))})");
            return services;
        }
    }
}
