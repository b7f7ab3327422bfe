using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Core.Tariffs;

namespace OpenErc.Core.Charges;

internal sealed partial class BuildingCalculation
{
    /// <summary>
    /// Benefits delivered in kind (benefits.md §5, Model B): after the month's charge and its same-month reductions (§5.2),
    /// for each right of the account and each service its category covers, one negative «Льгота» line per supplier, from
    /// the line's net charge by the formulas of §2.5 (<see cref="BenefitFormulas"/>): by area for housing services, КР на
    /// СОИ and heating; by the norm volume of the covered persons for a charge by norm (the increasing coefficient is not
    /// discounted); by the metered volume capped at the norm; the capital-repair contribution on the regional minimum rate
    /// (KR70/KR80 by the compensation rule of §3); any other per-person charge by the share <c>m / n</c>. Prorated by the
    /// right's days, rounded once, never above the net charge. Nobody residing (a charge by owners) gives no benefit: the
    /// measures follow the place of residence. Housing discounted in public stock only (<c>INV</c>) is discounted for the
    /// days the premise was state or municipal stock (<see cref="PremiseSnapshot.PublicStockDays"/>), said in the trace's note.
    /// </summary>
    private void Benefits(PremiseSnapshot premise, AccountSnapshot account, List<ServiceSnapshot> services)
    {
        if (account.Benefits.Count == 0) return;
        var own = _lines.FindAll(l => l.AccountId == account.AccountId
            && l.Kind is ChargeLineKind.Charge or ChargeLineKind.TemporaryAbsence or ChargeLineKind.QualityReduction);
        foreach (var right in account.Benefits.OrderBy(r => r.RightId))
        {
            if (!right.InKind && !S.MonetisedBenefitLines) continue;
            var from = Max(Max(right.From, P.FirstDay), account.OpenedOn);
            var to = Min(Min(right.To ?? P.End, P.End), account.ClosedOn ?? P.End);
            if (to <= from) continue;
            var (persons, byOwners) = Persons(premise, account, from);
            if (persons == 0 || byOwners) continue;
            int days = to.DayNumber - from.DayNumber;
            var basis = new BenefitLineBasis(right.Rate, persons, Math.Min(right.Covered, persons), Money.Zero)
            {
                Days = days == D ? null : new RightDays(days, D), LegalReference = right.Rule.LegalBasis,
            };
            decimal area = premise.TotalArea * account.Share;
            decimal? standard = right.Rule.AreaCap == BenefitAreaCap.AreaStandard ? S.BenefitAreaStandard.For(right.FamilySize ?? persons, right.AreaStandard) : null;
            foreach (var service in services)
            {
                var group = BenefitServiceGroups.Of(service.Kind, service.Code);
                if (!right.Rule.Covers(group)) continue;
                // Housing discounted in public stock only (181-ФЗ ст. 17 ч. 13): the days the premise was state or municipal.
                int serviceDays = days;
                var serviceBasis = basis;
                string? stockNote = null;
                if (group == BenefitServiceGroup.Housing && right.Rule.HousingInPublicStockOnly)
                {
                    var (stockFrom, stockTo) = premise.PublicStockDays(from, to);
                    if (stockTo <= stockFrom) continue;
                    serviceDays = stockTo.DayNumber - stockFrom.DayNumber;
                    if (serviceDays != days)
                    {
                        serviceBasis = basis with { Days = new RightDays(serviceDays, D) };
                        stockNote = $"Помещение в государственном или муниципальном жилищном фонде до {premise.PrivatisedOn:dd.MM.yyyy}: " +
                                    $"наём и содержание со скидкой за {serviceDays} дн. из {D}";
                    }
                }
                foreach (var bySupplier in own.Where(l => l.ServiceCode == service.Code).GroupBy(l => l.SupplierId))
                {
                    var lines = bySupplier.ToList();
                    decimal net = lines.Sum(l => l.Unrounded);
                    var netCharge = lines.Aggregate(Money.Zero, (sum, l) => sum + l.Amount);
                    if (netCharge.Amount <= 0) continue;
                    var b = serviceBasis with { NetCharge = netCharge };
                    var charge = lines.Find(l => l.Kind == ChargeLineKind.Charge) ?? lines[0];
                    var pieces = (_pieces.GetValueOrDefault((account.AccountId, service.Code)) ?? []).FindAll(p => p.SupplierId == bySupplier.Key);
                    var benefit = group switch
                    {
                        BenefitServiceGroup.CapitalRepair when right.Rule.Code is "KR70" or "KR80" =>
                            BenefitFormulas.KrCompensation(b, S.KrCompensationAreaRule, area, standard ?? area, right.FamilySize ?? persons, right.OwnerShare ?? 1m,
                                S.CapitalRepairMinimumRate ?? charge.Rate, net),
                        BenefitServiceGroup.CapitalRepair => BenefitFormulas.CapitalRepairLine(b, area, standard, S.CapitalRepairMinimumRate ?? charge.Rate, net),
                        BenefitServiceGroup.Housing or BenefitServiceGroup.CommonPropertyResources => BenefitFormulas.AreaLine(b, net, area, standard),
                        _ => ByVolume(premise, account, service, right, b, pieces, net, area, standard, from, to),
                    };
                    if (benefit.Amount == Money.Zero) continue;
                    if (stockNote is not null) benefit = benefit with { Note = benefit.Note is null ? stockNote : $"{stockNote}. {benefit.Note}" };
                    // A benefit capped by the charge is exact: its line rounds once like every other.
                    decimal unrounded = Money.RoundToKopecks(benefit.Unrounded) == benefit.Amount ? benefit.Unrounded : benefit.Amount.Amount;
                    _lines.Add(new ChargeLine(account.AccountId, service.Code, bySupplier.Key, P, TariffZone.Single, 0m, service.Unit, b.Rate, 1m,
                        serviceDays == D ? 1m : (decimal)serviceDays / D, charge.Source, unrounded, benefit.Amount, benefit.Trace) { Kind = ChargeLineKind.Benefit, RightId = right.RightId });
                }
            }
        }
    }

    /// <summary>A communal service or ТКО: by the norm, by the metered volume capped at the norm, by area, or by the covered share of the persons.</summary>
    private BenefitAmount ByVolume(PremiseSnapshot premise, AccountSnapshot account, ServiceSnapshot service, BenefitSnapshot right, BenefitLineBasis b,
        List<Piece> pieces, decimal net, decimal area, decimal? standard, DateOnly from, DateOnly to)
    {
        if (pieces.Count > 0 && pieces.TrueForAll(p => p.Norm is { ByOwners: false } && p.Norm.MonthlyNorm == pieces[0].Norm!.MonthlyNorm && p.Rate == pieces[0].Rate))
        {
            // §5.5: with the beneficiary away (and the charge reduced for it), the share is by person-days: σ = covered days / all residents' days.
            int away = AbsentDays(account, right.PersonId, from, to);
            if (away > 0 && AbsenceApplies(premise, service))
                return BenefitFormulas.PersonDaysLine(b with { Days = null }, net, b.Covered * (to.DayNumber - from.DayNumber) - away,
                    b.Persons * D - AbsentDays(account, null, P.FirstDay, P.End));
            return BenefitFormulas.NormLine(b, pieces[0].Norm!.MonthlyNorm, pieces[0].Rate, net, pieces[0].Coefficient, service.Unit);
        }
        if (pieces.Count > 0 && pieces.TrueForAll(p => p.Source is VolumeSource.Meter or VolumeSource.Average) && pieces.Sum(p => p.Volume) is var volume and > 0)
        {
            decimal? norm = right.Rule.ConsumptionCapAtNorm && Norm(service, premise, from, b.Persons, required: false) is { } n ? Monthly(n) : null;
            return BenefitFormulas.VolumeLine(b, net, volume, norm, service.Unit);
        }
        if (service.Resource == Resource.Heat || service.Unit == "м²") return BenefitFormulas.AreaLine(b, net, area, standard);
        return BenefitFormulas.PersonDaysLine(b, net, b.Covered, b.Persons);
    }

    /// <summary>
    /// Person-days away in <c>[from, to)</c> of the absences longer than 5 full days (ПП 354 п. 90, as the absence
    /// recalculation counts them), of one person or (null) of every resident.
    /// </summary>
    private static int AbsentDays(AccountSnapshot account, long? person, DateOnly from, DateOnly to)
    {
        int days = 0;
        foreach (var a in account.Absences)
        {
            if (a.Returned.DayNumber - a.Departed.DayNumber - 1 <= 5 || (person is not null && a.PersonId != person)) continue;
            int first = Math.Max(a.Departed.DayNumber + 1, from.DayNumber), last = Math.Min(a.Returned.DayNumber, to.DayNumber);
            if (last > first) days += (last - first) * a.Persons;
        }
        return days;
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
