using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

internal sealed partial class BuildingCalculation
{
    /// <summary>
    /// The monthly amount of a service for an account by the consumption norm on <paramref name="day"/>, whether or not a
    /// meter exists — the measure of ПП 354 п. 118 («неполная оплата»: debt above two monthly amounts by the norm at the
    /// tariff of the day) and of the debtors register's norm basis (reports.md §10): <c>n × N × T</c> for a service by
    /// norm or meter (n residents, or owners when nobody resides; the norm row the calculator would choose; no increasing
    /// coefficient [uncertain]; a two-component hot-water price as charged), <c>S × T</c> (or <c>S × N × T</c>) by area,
    /// <c>n × T</c> per resident; rounded once. Null where the service has no such measure (heating, КР на СОИ, a
    /// building meter's method), the account is not charged that day, or a tariff or norm is missing.
    /// </summary>
    public Money? MonthlyByNorm(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service, long supplier, DateOnly day)
    {
        if (service.Kind == ServiceKind.CommonPropertyResource || service.Resource == Resource.Heat) return null;
        if (day < account.OpenedOn || account.ClosedOn is { } closed && closed <= day) return null;
        if (Method(service, day) is not { } method) return null;
        try
        {
            if (RateOrNull(service, supplier, TariffZone.Single, day) is null) return null;
            var (rate, _, _) = UnitPrice(service, supplier, TariffZone.Single, day);
            decimal? unrounded;
            switch (method)
            {
                case CalculationMethod.Area:
                {
                    decimal area = premise.TotalArea * account.Share;
                    var norm = Norm(service, premise, day, 0, required: false);
                    unrounded = norm is null ? ChargeFormulas.ByArea(area, rate)
                        : norm.PerYear ? ChargeFormulas.WasteByArea(area, norm.Value, rate) : area * norm.Value * rate;
                    break;
                }
                case CalculationMethod.Norm or CalculationMethod.IndividualMeter or CalculationMethod.PerResident:
                {
                    var (persons, _) = Persons(premise, account, day);
                    var norm = persons == 0 ? null : Norm(service, premise, day, persons, required: false);
                    unrounded = persons == 0 ? 0m
                        : norm is null ? (method == CalculationMethod.PerResident ? persons * rate : null)
                        : norm.PerYear ? ChargeFormulas.WasteByResidents(persons, norm.Value, rate) : ChargeFormulas.ByNorm(persons, norm.Value, rate, 1m);
                    break;
                }
                default:
                    unrounded = null;
                    break;
            }
            return unrounded is { } amount ? Money.RoundToKopecks(amount) : null;
        }
        catch (ChargeDataException)
        {
            return null; // a norm or price the month's run would have refused too: no measure, the report says so
        }
    }
}
