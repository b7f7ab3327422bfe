using System.Linq.Expressions;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Operations.Registry;

namespace OpenErc.Web.Components.Shared;

/// <summary>What a list asks for: a page (from 1), its size, the sort column's key and the search text.</summary>
public sealed record ListRequest(int Page, int PageSize, string? Sort, bool Descending, string? Search);

/// <summary>
/// One column of a <see cref="DataList{TItem}"/>: its title, how a cell shows (text, link or template),
/// and how the server sorts by it. Built with <see cref="ListColumn.For{T,TKey}"/>, one expression serves both
/// the cell and the SQL ORDER BY.
/// </summary>
public sealed class ListColumn<T>
{
    public required string Title { get; init; }
    public Func<T, object?>? Value { get; init; }
    public RenderFragment<T>? Template { get; init; }
    /// <summary>Makes the cell a link.</summary>
    public Func<T, string>? Href { get; init; }
    /// <summary><c>data-testid</c> of the cell's link, for browser tests.</summary>
    public string? TestId { get; init; }
    /// <summary>The key the list passes back in <see cref="ListRequest.Sort"/>; null means not sortable.</summary>
    public string? SortKey { get; init; }
    /// <summary>The server-side sort expression, when the list pages an <see cref="IQueryable{T}"/>.</summary>
    public LambdaExpression? SortBy { get; init; }
    public bool AlignRight { get; init; }
    /// <summary>Keeps long text (addresses) from being squeezed into a narrow column.</summary>
    public bool Wide { get; init; }
    /// <summary>Keeps dates and periods on one line.</summary>
    public bool NoWrap { get; init; }

    public string? Style =>
        (AlignRight ? "text-align:right;" : "") + (Wide ? "min-width:16rem;" : "") + (NoWrap ? "white-space:nowrap;" : "") is { Length: > 0 } s ? s : null;

    public string Text(T item) => Fmt.Value(Value?.Invoke(item));

    public ListColumn<T> With(Func<T, string>? href = null, string? testId = null, RenderFragment<T>? template = null, bool? alignRight = null,
        bool? wide = null) => new()
    {
        Title = Title, Value = Value, SortKey = SortKey, SortBy = SortBy,
        Href = href ?? Href, TestId = testId ?? TestId, Template = template ?? Template, AlignRight = alignRight ?? AlignRight, Wide = wide ?? Wide,
        NoWrap = NoWrap,
    };
}

public static class ListColumn
{
    /// <summary>A sortable column whose cell shows <paramref name="value"/> formatted by <see cref="Fmt.Value"/>.</summary>
    public static ListColumn<T> For<T, TKey>(Expression<Func<T, TKey>> value, string title, bool sortable = true)
    {
        var compiled = value.Compile();
        var type = Nullable.GetUnderlyingType(typeof(TKey)) ?? typeof(TKey);
        return new ListColumn<T>
        {
            Title = title,
            Value = x => compiled(x),
            SortKey = sortable ? title : null,
            SortBy = sortable ? value : null,
            AlignRight = type == typeof(decimal) || type == typeof(int) || type == typeof(long),
            NoWrap = type == typeof(DateOnly),
        };
    }

    /// <summary>The validity period "с … по …" of effective-dated rows, sorted by its start.</summary>
    public static ListColumn<T> Period<T>(string title = "Период действия") where T : IEffectiveDated
    {
        var x = Expression.Parameter(typeof(T), "x");
        var from = Expression.Lambda<Func<T, DateOnly>>(Expression.Property(x, nameof(IEffectiveDated.ValidFrom)), x);
        return new ListColumn<T> { Title = title, Value = item => Fmt.Period(item), SortKey = title, SortBy = from, NoWrap = true };
    }

    /// <summary>
    /// Sorts (by the requested column, else the default), counts and takes one page of <paramref name="query"/>.
    /// Ties are broken by <c>Id</c> when the row has one, so pages never overlap.
    /// </summary>
    public static async Task<Page<T>> PageAsync<T>(IQueryable<T> query, ListRequest request, IReadOnlyList<ListColumn<T>> columns,
        CancellationToken ct)
    {
        var column = columns.FirstOrDefault(c => c.SortBy is not null && c.SortKey == request.Sort);
        var sorted = query;
        if (column?.SortBy is { } sort)
        {
            sorted = Order(query, sort, request.Descending ? "OrderByDescending" : "OrderBy");
            if (typeof(T).GetProperty("Id") is { } id && id.PropertyType == typeof(long))
            {
                var x = Expression.Parameter(typeof(T), "x");
                sorted = Order(sorted, Expression.Lambda(Expression.Property(x, id), x), "ThenBy");
            }
        }
        int total = await query.CountAsync(ct);
        var items = await sorted.Skip((request.Page - 1) * request.PageSize).Take(request.PageSize).ToListAsync(ct);
        return new Page<T>(items, total, request.Page, request.PageSize);
    }

    private static IQueryable<T> Order<T>(IQueryable<T> query, LambdaExpression key, string method) =>
        query.Provider.CreateQuery<T>(Expression.Call(typeof(Queryable), method, [typeof(T), key.ReturnType], query.Expression, Expression.Quote(key)));

    /// <summary>An ILIKE pattern that matches <paramref name="text"/> anywhere, with wildcards escaped.</summary>
    public static string Like(string text) =>
        "%" + text.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
