using System.Globalization;

namespace OpenErc.Exchange.Uszn;

/// <summary>What a SUBDEC row does to the decision <see cref="SubsidyDecisionRow.DecisionId"/>.</summary>
public enum SubsidyDecisionAction { Add, Change, Close }

/// <summary>
/// One row of <c>SUBDEC</c> (УСЗН → ЕРЦ): УСЗН's decision to grant a housing subsidy (ЖК РФ ст. 159, benefits.md §4) on an
/// account. <see cref="Amount"/> is monthly, in roubles; <see cref="ValidFrom"/> the first day of the first month;
/// <see cref="ValidTo"/> the last day as written (inclusive). The applicant (<see cref="Snils"/>, normalised to
/// <c>000-000-000 00</c>, and the names) is optional and only checked against the account's people.
/// </summary>
public sealed record SubsidyDecisionRow(
    int Line, string DecisionId, SubsidyDecisionAction Action, string AccountNumber, string? Snils, string? LastName, string? FirstName, string? MiddleName,
    decimal Amount, DateOnly ValidFrom, DateOnly ValidTo, string DecisionNo, DateOnly DecisionDate)
{
    /// <summary>Whether the row names its applicant (by СНИЛС or by name) for the centre to check.</summary>
    public bool NamesApplicant => Snils is not null || LastName is not null;
}

/// <summary>A SUBDEC file read: all its rows, or none and every error (whole or nothing).</summary>
public sealed record SubdecParse(UsznFileName? Name, IReadOnlyList<SubsidyDecisionRow> Rows, IReadOnlyList<BenefitRowProblem> Errors)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>
/// Reads УСЗН's subsidy decisions <c>SUBDEC</c> (УСЗН → ЕРЦ). benefits.md §6 is silent on this file: it lists the
/// registry of rights, the error report and the charges, not the subsidies of §4. This is OpenErc's own layout, in the
/// conventions of §6 (<see cref="UsznCsv"/>): <c>;</c>, a header row (columns by name, any order), decimal point, dates
/// dd.MM.yyyy, UTF-8 or Windows-1251, the trailer <c>#TRAILER;&lt;rows&gt;;&lt;Σ Amount&gt;</c>, the name
/// <c>OPENERC_SUBDEC_&lt;ercCode&gt;_&lt;usznCode&gt;_&lt;YYYYMM&gt;_&lt;seq&gt;.csv</c>.
/// </summary>
/// <remarks>
/// Columns: <c>DecisionId</c> (УСЗН's stable id), <c>Action</c> (ADD, CHANGE, CLOSE), <c>AccountNumber</c>, <c>Snils</c>
/// (optional), <c>LastName</c>, <c>FirstName</c>, <c>MiddleName</c> (the applicant, optional; a surname wants a name),
/// <c>Amount</c> (monthly, &gt; 0, kopecks at most), <c>ValidFrom</c> (the 1st of a month), <c>ValidTo</c> (the last day,
/// inclusive, required: a subsidy is granted for a term), <c>DecisionNo</c>, <c>DecisionDate</c> (both required).
/// CLOSE ends the decision on its <c>ValidTo</c>; the rest of its row only identifies it. Only the file is checked here;
/// matching it against accounts and people is the caller's. Any error refuses the whole file.
/// </remarks>
public static class SubdecFile
{
    public const string Kind = UsznFileName.Subdec;

    public static readonly IReadOnlyList<string> Columns =
    [
        "DecisionId", "Action", "AccountNumber", "Snils", "LastName", "FirstName", "MiddleName", "Amount", "ValidFrom", "ValidTo", "DecisionNo", "DecisionDate",
    ];

    public static SubdecParse Parse(byte[] content, string fileName)
    {
        var (name, rows, errors) = UsznRows.Parse(content, fileName, Kind, Columns, "DecisionId", "Amount", Row, r => (r.Line, r.DecisionId, r.AccountNumber),
            r => r.Amount);
        return new(name, rows, errors);
    }

    private static SubsidyDecisionRow? Row(UsznRowReader r)
    {
        if (!r.Start()) return null;
        var action = r.Code("Action", ("ADD", SubsidyDecisionAction.Add), ("CHANGE", SubsidyDecisionAction.Change), ("CLOSE", SubsidyDecisionAction.Close));
        var snils = r.Snils();
        var (last, first, middle) = (r.Text("LastName"), r.Text("FirstName"), r.Text("MiddleName"));
        if (last is null && (first ?? middle) is not null) r.Fail("LastName", "имя указано без фамилии");
        else if (last is not null && first is null) r.Fail("FirstName", "фамилия указана без имени");
        var amount = r.Number("Amount", required: true);
        if (amount is { } a && (a <= 0 || decimal.Round(a, 2) != a))
            r.Fail("Amount", $"{a.ToString(CultureInfo.InvariantCulture)} — сумма в месяц больше 0, в рублях с копейками (не более 2 знаков после точки)");
        var (from, to) = r.Dates(toRequired: true);
        if (from is { Day: not 1 } f) r.Fail("ValidFrom", $"{UsznCsv.Date(f)} — субсидия назначается с 1-го числа месяца", BenefitRowError.BadDates);
        var (decisionNo, decisionDate) = (r.Text("DecisionNo", true), r.Date("DecisionDate", true));
        if (r.Failed) return null;
        return new(r.Line, r.Id, action!.Value, r.Account, snils, last, first, middle, amount!.Value, from!.Value, to!.Value, decisionNo!, decisionDate!.Value);
    }
}
