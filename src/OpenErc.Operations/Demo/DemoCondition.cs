using Npgsql;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;

namespace OpenErc.Operations.Demo;

/// <summary>
/// The demo region's buildings' condition, derived from each building as SQL (no draw from the generator's random
/// sequence, so the rest of the demo stays as it was): an inspection of eleven elements half a year before the demo's
/// month, their shares adding up to 100 % (a brick building's typical weights) and their wear spread around the
/// building's own; and, in every fourth building, the capital-repair programme's roof repair (every sixth also its
/// heating system) in the year before, the year of or the year after the demo's month — accepted, in progress or planned.
/// </summary>
internal static class DemoCondition
{
    private static readonly (BuildingElement Element, int Share)[] Elements =
    [
        (BuildingElement.Foundation, 6), (BuildingElement.Walls, 40), (BuildingElement.Floors, 12), (BuildingElement.Roof, 7),
        (BuildingElement.WindowsAndDoors, 9), (BuildingElement.Stairs, 4), (BuildingElement.ColdWater, 4), (BuildingElement.HotWater, 4),
        (BuildingElement.Sewerage, 3), (BuildingElement.Heating, 6), (BuildingElement.Electricity, 5),
    ];

    public static async Task WriteAsync(NpgsqlConnection conn, BillingPeriod month, CancellationToken ct)
    {
        var values = string.Join(", ", Elements.Select(e => $"({(int)e.Element}, {e.Share})"));
        int year = month.Year;
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO element_inspections (building_id, element, share, wear, inspected_on, basis)
            SELECT b.id, e.element, e.share, round(greatest(0, least(100, b.wear_percent + ((b.id * 37 + e.element * 11) % 21) - 10)) / 5) * 5,
                   @on, 'Акт обследования технического состояния'
            FROM buildings b CROSS JOIN (VALUES {values}) AS e(element, share)
            ORDER BY b.id, e.element;

            INSERT INTO capital_repair_works (building_id, element, work, plan_year, planned_cost, source, status, contractor, contract_number,
                                              contract_price, started_on, accepted_on, accepted_cost, paid_to_contractor)
            SELECT b.id, w.element, w.work, y.year, round(b.total_area * w.rate, 2), {(int)CapitalRepairSource.Fund},
                   CASE WHEN y.year < {year} THEN {(int)CapitalRepairStatus.Accepted} WHEN y.year = {year} THEN {(int)CapitalRepairStatus.InProgress}
                        ELSE {(int)CapitalRepairStatus.Planned} END,
                   CASE WHEN y.year <= {year} THEN 'ООО «Капстрой»' END,
                   CASE WHEN y.year <= {year} THEN 'КР-' || y.year || '-' || b.id END,
                   CASE WHEN y.year <= {year} THEN round(b.total_area * w.rate * 0.98, 2) END,
                   CASE WHEN y.year <= {year} THEN make_date(y.year, 5, 15) END,
                   CASE WHEN y.year < {year} THEN make_date(y.year, 10, 15) END,
                   CASE WHEN y.year < {year} THEN round(b.total_area * w.rate * 0.96, 2) END,
                   CASE WHEN y.year < {year} THEN round(b.total_area * w.rate * 0.96, 2) WHEN y.year = {year} THEN round(b.total_area * w.rate * 0.3, 2) END
            FROM buildings b
            CROSS JOIN (VALUES ({(int)BuildingElement.Roof}, 'Ремонт крыши', 1200.00, 4), ({(int)BuildingElement.Heating}, 'Ремонт внутридомовой системы отопления', 800.00, 6))
                 AS w(element, work, rate, every)
            CROSS JOIN LATERAL (SELECT {year} - 1 + ((b.id + w.element) % 3)::int AS year) y
            WHERE b.id % w.every = 1
            ORDER BY b.id, w.element;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly>("on", month.FirstDay.AddMonths(-6)));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
