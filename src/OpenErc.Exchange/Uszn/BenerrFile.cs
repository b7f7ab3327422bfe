using System.ComponentModel.DataAnnotations;
using System.Globalization;
using OpenErc.Core.Common;

namespace OpenErc.Exchange.Uszn;

/// <summary>
/// Why a row of the registry of rights (benefits.md §6.1) or of the subsidy decisions (<see cref="SubdecFile"/>) is refused,
/// as the error report <c>BENERR</c> gives it.
/// <see cref="BadFormat"/> and <see cref="BadDates"/> come from reading the file; the others from matching it against
/// the registry of accounts and residents, which the caller does with the database.
/// </summary>
public enum BenefitRowError
{
    [Display(Name = "Ошибка формата")] BadFormat,
    [Display(Name = "Неверные даты действия права")] BadDates,
    [Display(Name = "Лицевой счёт не найден")] AccountNotFound,
    [Display(Name = "Гражданин не проживает по лицевому счёту")] PersonNotResident,
    [Display(Name = "У гражданина уже есть действующее право на эту услугу")] DuplicateGround,
    [Display(Name = "Услуга не начисляется по лицевому счёту")] ServiceNotBilled,
    [Display(Name = "Сроки субсидий по лицевому счёту пересекаются")] SubsidyOverlap,
}

/// <summary>
/// A refused row: the line of the file (null for the file as a whole), its id when known — the RightId of a BENREG, the
/// DecisionId of a SUBDEC — and account, the code and a Russian message.
/// </summary>
public sealed record BenefitRowProblem(int? Line, string? RightId, string? AccountNumber, BenefitRowError Code, string Message);

/// <summary>
/// The error report <c>BENERR</c> (ЕРЦ → УСЗН, benefits.md §6): one row per refused row of a <c>BENREG</c> —
/// <c>RightId;AccountNumber;Line;Code;Message</c> — and the trailer; the file has no money, its trailer sum is 0.00. The
/// report on a <c>SUBDEC</c> (our layout, §6 being silent on it) is the same with <c>DecisionId</c> for <c>RightId</c>.
/// </summary>
public static class BenerrFile
{
    public static readonly IReadOnlyList<string> Columns = ["RightId", "AccountNumber", "Line", "Code", "Message"];

    /// <summary>The columns of the report on a <c>SUBDEC</c>.</summary>
    public static readonly IReadOnlyList<string> SubdecColumns = ["DecisionId", .. Columns.Skip(1)];

    private static readonly Dictionary<BenefitRowError, string> Codes = new()
    {
        [BenefitRowError.BadFormat] = "BAD_FORMAT",
        [BenefitRowError.BadDates] = "BAD_DATES",
        [BenefitRowError.AccountNotFound] = "ACCOUNT_NOT_FOUND",
        [BenefitRowError.PersonNotResident] = "PERSON_NOT_RESIDENT",
        [BenefitRowError.DuplicateGround] = "DUPLICATE_GROUND",
        [BenefitRowError.ServiceNotBilled] = "SERVICE_NOT_BILLED",
        [BenefitRowError.SubsidyOverlap] = "SUBSIDY_OVERLAP",
    };

    /// <summary>The code written in the file, e.g. <c>ACCOUNT_NOT_FOUND</c>.</summary>
    public static string Code(this BenefitRowError error) => Codes[error];

    /// <param name="columns"><see cref="Columns"/> (the default) or <see cref="SubdecColumns"/>.</param>
    /// <exception cref="UsznFileException">A character Windows-1251 cannot write.</exception>
    public static byte[] Write(IReadOnlyList<BenefitRowProblem> problems, UsznEncoding encoding = UsznEncoding.Utf8, IReadOnlyList<string>? columns = null) =>
        UsznCsv.Write(columns ?? Columns, problems.Select((p, i) => (
            $"Строка {i + 1}",
            (IReadOnlyList<string>)[p.RightId ?? "", p.AccountNumber ?? "", p.Line?.ToString(CultureInfo.InvariantCulture) ?? "", p.Code.Code(),
                p.Message.Length > 0 ? p.Message : p.Code.Title()])), problems.Count, 0m, encoding);
}
