using System.Net;
using System.Net.Http.Json;
using OpenErc.Core.Common;
using OpenErc.Operations.Billing;
using OpenErc.Testing;
using Shouldly;
using Xunit;

namespace OpenErc.Web.Tests;

/// <summary>
/// The centre has one open billing month (ARCHITECTURE.md §7). The host opened the month of its clock's day (November
/// 2026); charging or closing any other month, and closing out of order, is a 409 in Russian that changes nothing.
/// </summary>
public sealed class OpenMonthTests(DemoWebHost host) : IClassFixture<DemoWebHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly BillingPeriod November = new(2026, 11), December = new(2026, 12), October = new(2026, 10);

    /// <summary>Everything the rules guard: the months and their states, the runs, the lines and the balances.</summary>
    private Task<string> StateAsync() => host.ScalarAsync<string>("""
        SELECT (SELECT string_agg(to_char(month, 'YYYY-MM') || ' ' || state, ', ' ORDER BY month) FROM billing_periods)
            || ' | runs ' || (SELECT count(*) FROM billing_runs) || ' | lines ' || (SELECT count(*) FROM charge_line_details)
            || ' | balances ' || (SELECT count(*) FROM account_balances) || ' | allocations ' || (SELECT count(*) FROM payment_allocations)
        """);

    private async Task RefusedAsync(HttpResponseMessage response, string expected)
    {
        var problem = await WebHost.JsonAsync(response, HttpStatusCode.Conflict);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        problem.GetProperty("detail").GetString().ShouldBe(expected);
    }

    private Task<HttpResponseMessage> ChargeAsync(BillingPeriod month) =>
        host.Client.PostAsJsonAsync("/api/v1/billing/runs", new { month = month.ToString() }, Ct);

    private Task<HttpResponseMessage> CloseAsync(BillingPeriod month) => host.Client.PostAsync($"/api/v1/billing/periods/{month}/close", null, Ct);

    [Fact]
    public async Task Only_the_open_month_is_charged_and_closed_and_months_close_in_order()
    {
        // A fresh database opened the month of the region's clock.
        (await BillingPeriods.OpenMonthAsync(host.ConnectionString, Ct)).ShouldBe(November);
        (await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/billing/periods/{November}", Ct), HttpStatusCode.OK))
            .GetProperty("state").GetString().ShouldBe("open");
        (await WebHost.JsonAsync(await host.Client.GetAsync($"/api/v1/billing/periods/{December}", Ct), HttpStatusCode.OK))
            .GetProperty("state").GetString().ShouldBe("not_open");
        var fresh = await StateAsync();
        fresh.ShouldStartWith("2026-11 open | runs 0 | lines 0 | balances 0");

        // Charging another month: the next one, or a month before the open one.
        await RefusedAsync(await ChargeAsync(December), "Открыт месяц ноябрь 2026: начисления за декабрь 2026 — только после его закрытия");
        await RefusedAsync(await ChargeAsync(October), "Месяц октябрь 2026 закрыт: начисления проводятся только в открытый месяц — ноябрь 2026");
        // Closing another month, and closing the open one before its run.
        await RefusedAsync(await CloseAsync(December), "Закрыть можно только открытый месяц — ноябрь 2026; месяцы закрываются по порядку");
        await RefusedAsync(await CloseAsync(October), "Месяц октябрь 2026 уже закрыт; открыт ноябрь 2026");
        var notCharged = await CloseAsync(November);
        (await WebHost.JsonAsync(notCharged, HttpStatusCode.Conflict)).GetProperty("detail").GetString().ShouldStartWith("Месяц ноябрь 2026 не начислен:");
        (await StateAsync()).ShouldBe(fresh);

        // November charged, and closed on 3 December: December opens.
        (await BillingRun.RunAsync(host.ConnectionString, November, BillingScope.All, new BillingRunOptions(host.Clock), ct: Ct)).Failures.ShouldBeEmpty();
        host.Clock.MoveTo(new DateOnly(2026, 12, 3));
        (await CloseAsync(November)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await BillingPeriods.OpenMonthAsync(host.ConnectionString, Ct)).ShouldBe(December);
        var closed = await StateAsync();
        closed.ShouldStartWith("2026-11 closed, 2026-12 open");

        // The closed month takes no second closing and no charges; the month after the open one can neither be closed.
        await RefusedAsync(await CloseAsync(November), "Месяц ноябрь 2026 уже закрыт; открыт декабрь 2026");
        await RefusedAsync(await ChargeAsync(November), "Месяц ноябрь 2026 закрыт: начисления проводятся только в открытый месяц — декабрь 2026");
        await RefusedAsync(await CloseAsync(December.Next()), "Закрыть можно только открытый месяц — декабрь 2026; месяцы закрываются по порядку");
        (await StateAsync()).ShouldBe(closed);
    }
}
