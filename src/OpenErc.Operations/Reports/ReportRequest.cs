using System.Globalization;
using OpenErc.Core.Common;

namespace OpenErc.Operations.Reports;

/// <summary>
/// A report's query string read into a <see cref="ReportQuery"/> — the same for the API, the workstation's page (whose
/// address is the query, so a report can be bookmarked and sent) and the monthly mailing. Keys: <c>from</c>, <c>to</c>
/// (ГГГГ-ММ), <c>date</c> (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД), <c>mode</c> (<c>summary</c>, <c>expanded</c>, <c>pivot</c>),
/// <c>group</c> (up to two dimensions, comma-separated), <c>across</c> and <c>measure</c> (the pivot's column dimension and
/// value), a dimension's key for its filter (values comma-separated), a parameter's key for its value. Anything wrong is a
/// <see cref="ReportException"/> with the key and a Russian reason; unknown keys are refused too, so a mistyped filter
/// never silently widens a report.
/// </summary>
public static class ReportRequest
{
    /// <summary>Keys the API and page use around the report itself.</summary>
    public static readonly string[] Reserved = ["format", "page", "pageSize", "encoding"];

    public static ReportQuery Parse(ReportDefinition report, IReadOnlyDictionary<string, string?> query, BillingPeriod latest, BillingPeriod? open, DateOnly today)
    {
        string? Get(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        foreach (var key in query.Keys)
            if (!Reserved.Contains(key) && key is not ("from" or "to" or "date" or "mode" or "group" or "across" or "measure")
                && !report.Dimensions.Contains(key) && report.Options.All(p => p.Key != key))
                throw new ReportException(key, ReportDimensions.All.TryGetValue(key, out var known)
                    ? $"Отчёт «{report.Title}» не отбирается по признаку «{known.Title}»"
                    : $"Неизвестный параметр отчёта «{key}»");

        BillingPeriod Month(string key, BillingPeriod fallback)
        {
            if (Get(key) is not { } text) return fallback;
            if (!BillingPeriod.TryParse(text, out var m)) throw new ReportException(key, BillingPeriod.ParseError(text));
            return m;
        }
        var to = Month("to", latest);
        var from = Month("from", report.Time == ReportTime.Months ? to : to);
        if (from > to) throw new ReportException("from", $"Начало периода ({from.Name()}) позже его конца ({to.Name()})");
        if (open is { } o && to > o && !report.Planning) throw new ReportException("to", $"Месяц {to.Name()} ещё не открыт: открыт {o.Name()}");
        if (report.Time != ReportTime.Months) from = to;

        var date = report.Time == ReportTime.Date ? today : to.LastDay;
        if (Get("date") is { } dateText)
        {
            if (report.Time != ReportTime.Date) throw new ReportException("date", $"Отчёт «{report.Title}» строится за месяцы, а не на дату: укажите from и to");
            if (!DateOnly.TryParseExact(dateText, ["dd.MM.yyyy", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
                || !BillingPeriod.TryOf(date, out _))
                throw new ReportException("date", $"Дата — ДД.ММ.ГГГГ или ГГГГ-ММ-ДД: «{dateText}»");
        }

        var mode = Get("mode") switch
        {
            null or "summary" => ReportMode.Summary,
            "expanded" => ReportMode.Expanded,
            "pivot" => ReportMode.Pivot,
            var m => throw new ReportException("mode", $"Вид отчёта — summary (итоговый), expanded (развёрнутый) или pivot (сводная таблица): «{m}»"),
        };

        string Dimension(string key, string text)
        {
            if (!report.Dimensions.Contains(text))
                throw new ReportException(key, ReportDimensions.All.TryGetValue(text, out var d)
                    ? $"Отчёт «{report.Title}» не группируется по признаку «{d.Title}»"
                    : $"Неизвестный признак группировки «{text}»");
            return text;
        }
        // An empty «group=» asks for no groups; without the key, the report's own.
        var groups = query.TryGetValue("group", out var g)
            ? (g ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => Dimension("group", x)).Distinct().ToList()
            : report.DefaultGroups.ToList();
        if (groups.Count > 2) throw new ReportException("group", "Промежуточные итоги — не более чем по двум уровням");
        if (mode == ReportMode.Summary && groups.Count == 0) throw new ReportException("group", "Для итогового отчёта укажите, по чему группировать");

        string? across = null, measure = null;
        if (mode == ReportMode.Pivot)
        {
            across = Dimension("across", Get("across") ?? throw new ReportException("across", "Для сводной таблицы укажите признак столбцов (across)"));
            if (groups.Count != 1) throw new ReportException("group", "Для сводной таблицы укажите один признак строк (group)");
            if (groups[0] == across) throw new ReportException("across", "Строки и столбцы сводной таблицы — разные признаки");
            var measures = report.Measures.Where(c => c.Total == ReportTotal.Sum).ToList();
            measure = Get("measure") ?? measures.FirstOrDefault()?.Key ?? throw new ReportException("mode", $"В отчёте «{report.Title}» нет сумм для сводной таблицы");
            if (measures.All(c => c.Key != measure))
                throw new ReportException("measure", $"Показатель сводной таблицы — один из: {string.Join(", ", measures.Select(c => $"{c.Key} ({c.Title})"))}");
        }
        else if (Get("across") is not null || Get("measure") is not null)
            throw new ReportException("across", "Признак столбцов и показатель задаются только для сводной таблицы (mode=pivot)");

        var filters = new Dictionary<string, string[]>();
        foreach (var key in report.Dimensions)
        {
            if (Get(key) is not { } text) continue;
            var dimension = ReportDimensions.All[key];
            var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
            foreach (var v in values)
            {
                bool ok = dimension.Values switch
                {
                    ReportValue.Id => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                    ReportValue.Small => short.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                    ReportValue.Month => BillingPeriod.TryParse(v, out _),
                    _ => v.Length <= 300,
                };
                if (!ok) throw new ReportException(key, $"Отбор «{dimension.Title}»: «{v}» — {ReportDimensions.Expected(dimension.Values)}");
            }
            if (values.Length > 10_000) throw new ReportException(key, $"Отбор «{dimension.Title}»: не более 10 000 значений");
            filters[key] = values;
        }

        var parameters = new Dictionary<string, string>();
        foreach (var p in report.Options)
        {
            var value = Get(p.Key) ?? p.Default;
            if (p.Values.Count == 0)
            {
                if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0 || number > 1000)
                    throw new ReportException(p.Key, $"«{p.Title}» — положительное число не больше 1000 с точкой, например 2.5: «{value}»");
            }
            else if (p.Values.All(x => x.Value != value))
                throw new ReportException(p.Key, $"«{p.Title}»: одно из значений {string.Join(", ", p.Values.Select(x => $"{x.Value} ({x.Title})"))}");
            parameters[p.Key] = value;
            if (p.Excludes?.GetValueOrDefault(value) is { } excluded
                && filters.Keys.Concat(groups).Append(across).FirstOrDefault(d => d is not null && excluded.Contains(d)) is { } clash)
                throw new ReportException(p.Key, $"«{p.Title}: {p.Values.First(x => x.Value == value).Title}» — без отбора и группировки по признаку «{ReportDimensions.All[clash].Title}»");
        }
        return new ReportQuery(from, to, date, filters, mode, groups, across, measure, parameters);
    }
}
