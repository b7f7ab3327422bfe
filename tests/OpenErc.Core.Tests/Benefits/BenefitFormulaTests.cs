using OpenErc.Core.Benefits;
using OpenErc.Core.Charges;
using OpenErc.Core.Common;
using Shouldly;
using Xunit;

namespace OpenErc.Core.Tests.Benefits;

/// <summary>benefits.md §2, §3, §5.5 and the worked examples of §7, each figure to the kopeck.</summary>
public sealed class BenefitFormulaTests
{
    private static Money Rub(decimal amount) => Money.Exact(amount);

    private static BenefitLineBasis Basis(decimal rate, int persons, int covered, decimal net) => new(rate, persons, covered, Money.RoundToKopecks(net));

    private static decimal Input(BenefitAmount b, string name) => b.Inputs.Single(i => i.Name == name).Value;

    // §7.1: flat 68.4 m², 3 residents, one VET_TRUDA (50 %, 18 m² per member of 3+, beneficiary only).
    private const decimal Flat = 68.4m;
    private static readonly decimal Heating = ChargeFormulas.HeatingByNorm(Flat, 0.0198m, 1m, 2845.60m);   // 3853.852992
    private static readonly decimal Maintenance = ChargeFormulas.ByArea(Flat, 28.40m);                     // 1942.56
    private static readonly decimal A3 = AreaStandard.Federal.For(3);                                      // 54

    private static BenefitAmount HeatingBenefit(decimal? areaStandard) => BenefitFormulas.AreaLine(Basis(0.5m, 3, 1, Heating), Heating, Flat, areaStandard);

    private static BenefitAmount MaintenanceBenefit() => BenefitFormulas.AreaLine(Basis(0.5m, 3, 1, Maintenance), Maintenance, Flat, A3);

    [Fact]
    public void Example_7_1_heating_is_discounted_on_the_area_standard_share()
    {
        Heating.ShouldBe(3853.852992m);
        Money.RoundToKopecks(Heating).ShouldBe(Rub(3853.85m));
        A3.ShouldBe(54m);
        var b = HeatingBenefit(A3);
        Input(b, "Площадь по стандарту S_b").ShouldBe(18m);                      // min(68.4, 54) × 1/3
        b.Unrounded.ShouldBe(-507.08592m);                                         // −0.5 × 3853.852992 × 18 / 68.4
        b.Amount.ShouldBe(Rub(-507.09m));
        b.Discount.ShouldBe(Rub(507.09m));
        b.Formula.ShouldBe(BenefitFormulas.AreaFormula);
        b.Note.ShouldBeNull();
    }

    [Fact]
    public void Example_7_1_without_the_cap_the_benefit_would_be_135_22_more()
    {
        var uncapped = HeatingBenefit(null);
        Input(uncapped, "Площадь по стандарту S_b").ShouldBe(22.8m);
        uncapped.Amount.ShouldBe(Rub(-642.31m));
        (HeatingBenefit(A3).Amount - uncapped.Amount).ShouldBe(Rub(135.22m));
    }

    [Fact]
    public void Example_7_1_maintenance_and_what_the_payer_owes()
    {
        Maintenance.ShouldBe(1942.56m);
        var b = MaintenanceBenefit();
        b.Amount.ShouldBe(Rub(-255.60m));                                          // −0.5 × 28.40 × 18
        (Rub(3853.85m) + Rub(1942.56m) + HeatingBenefit(A3).Amount + b.Amount).ShouldBe(Rub(5033.72m));
    }

    [Fact]
    public void Example_7_1_heating_evenly_through_the_year_with_a_seven_month_season()
    {
        decimal evenly = ChargeFormulas.HeatingByNorm(Flat, 0.0198m, ChargeFormulas.Periodicity(7), 2845.60m);
        Money.RoundToKopecks(evenly).ShouldBe(Rub(2248.08m));
        var b = BenefitFormulas.AreaLine(Basis(0.5m, 3, 1, evenly), evenly, Flat, A3);
        decimal.Round(b.Unrounded, 5).ShouldBe(-295.80012m);                      // −507.08592 × 7/12
        b.Amount.ShouldBe(Rub(-295.80m));
    }

    // §7.2: INV, household of 2, cold water, norm 4.745 m³, T = 52.37.
    private const decimal Norm = 4.745m, Water = 52.37m;

    [Theory]
    [InlineData(7.752, 405.97, 3.876, -101.49306, -101.49)]     // March: the share 7.752 / 2 is below the norm
    [InlineData(12.400, 649.39, 4.745, -124.247825, -124.25)]  // April: the share 6.200 is capped at the norm
    public void Example_7_2_metered_share_is_discounted_up_to_the_norm(decimal volume, decimal charged, decimal baseVolume, decimal unrounded, decimal amount)
    {
        decimal charge = ChargeFormulas.ByMeter(volume, Water);
        Money.RoundToKopecks(charge).ShouldBe(Rub(charged));
        var b = BenefitFormulas.VolumeLine(Basis(0.5m, 2, 1, charge), charge, volume, Norm, "м³");
        Input(b, "Объём льготы V_b").ShouldBe(baseVolume);
        b.Unrounded.ShouldBe(unrounded);
        b.Amount.ShouldBe(Rub(amount));
        b.Formula.ShouldBe(BenefitFormulas.VolumeFormula);
    }

    [Fact]
    public void Example_7_2_no_meter_with_K_3_the_coefficient_is_excluded_from_the_base()
    {
        decimal charge = ChargeFormulas.ByNorm(2, Norm, Water, 3m);
        charge.ShouldBe(1490.9739m);
        Money.RoundToKopecks(charge).ShouldBe(Rub(1490.97m));
        var b = BenefitFormulas.NormLine(Basis(0.5m, 2, 1, charge), Norm, Water, charge, 3m, "м³");
        b.Amount.ShouldBe(Rub(-124.25m));
        b.Formula.ShouldBe(BenefitFormulas.NormFormula);
        Money.RoundToKopecks(Input(b, "Исключённая сумма повышающего коэффициента")).ShouldBe(Rub(993.98m));
        Money.RoundToKopecks(BenefitFormulas.ExcludedCoefficientAmount(charge, 3m)).ShouldBe(Rub(993.98m));
    }

    [Fact]
    public void Section_5_5_temporary_absence_uses_person_days()
    {
        // June, 3 residents by norm; the disabled beneficiary absent 10 of 30 days: 80 person-days, 20 of them covered.
        decimal net = ChargeFormulas.ByNorm(3, Norm, Water, 1m) + ChargeFormulas.AbsenceReduction(1, Norm, Water, 10, 30);
        BenefitFormulas.PersonDayShare(20, 80).ShouldBe(0.25m);
        var b = BenefitFormulas.PersonDaysLine(Basis(0.5m, 3, 1, net), net, 20, 80);
        decimal.Round(b.Unrounded, 6).ShouldBe(-82.831883m);                       // −0.5 × 4.745 × 52.37 × 20/30
        b.Amount.ShouldBe(Rub(-82.83m));
        b.Formula.ShouldBe(BenefitFormulas.PersonDaysFormula);
    }

    [Fact]
    public void Section_5_5_the_same_figure_from_the_norm_prorated_by_the_covered_days()
    {
        var basis = Basis(0.5m, 3, 1, 662.66m) with { Days = new RightDays(20, 30) };
        var b = BenefitFormulas.NormLine(basis, Norm, Water, 745.48695m, 1m, "м³");
        b.Amount.ShouldBe(Rub(-82.83m));
        Input(b, "Дней права в месяце").ShouldBe(20m);
    }

    // §7.3: KR70, flat 45.6 m², building rate 17.20, regional minimum 15.83.
    private const decimal KrFlat = 45.6m, MinimumRate = 15.83m;
    private static readonly decimal KrCharge = ChargeFormulas.ByArea(KrFlat, 17.20m);

    private static BenefitAmount SingleOwner(decimal rate, decimal areaStandard) =>
        BenefitFormulas.KrCompensation(Basis(rate, 1, 1, KrCharge), KrCompensationAreaRule.PerHousehold, KrFlat, areaStandard, 1, 1m, MinimumRate, KrCharge);

    [Fact]
    public void Example_7_3_single_owner_aged_72_gets_half_of_the_minimum_rate_on_33_square_metres()
    {
        KrCharge.ShouldBe(784.32m);
        var b = SingleOwner(BenefitCategories.Find("KR70")!.Rate, AreaStandard.Federal.For(1));
        b.Unrounded.ShouldBe(-261.195m);
        b.Discount.ShouldBe(Rub(261.20m));
        b.Formula.ShouldBe(BenefitFormulas.CapitalRepairFormula);
    }

    [Fact]
    public void Example_7_3_a_regional_standard_of_54_square_metres_leaves_the_whole_flat()
    {
        var b = SingleOwner(0.5m, new AreaStandard(54m, 72m, 18m).For(1));
        b.Unrounded.ShouldBe(-360.924m);
        b.Discount.ShouldBe(Rub(360.92m));
    }

    [Fact]
    public void Example_7_3_at_80_the_whole_minimum_contribution() =>
        SingleOwner(BenefitCategories.Find("KR80")!.Rate, 33m).Discount.ShouldBe(Rub(522.39m));

    [Theory]
    [InlineData(1.0, 284.94)] // owner aged 82
    [InlineData(0.5, 142.47)] // owner aged 71
    public void Example_7_3_per_owner_share_caps_each_third_at_18_square_metres(decimal rate, decimal expected)
    {
        const decimal area = 61.2m, share = 1m / 3m;
        decimal ownerCharge = ChargeFormulas.ByArea(area * share, 17.20m);
        var b = BenefitFormulas.KrCompensation(Basis(rate, 3, 1, ownerCharge), KrCompensationAreaRule.PerOwnerShare, area, AreaStandard.Federal.For(3), 3, share,
            MinimumRate, ownerCharge);
        Input(b, "Площадь по стандарту S_b").ShouldBe(18m);
        b.Discount.ShouldBe(Rub(expected));
    }

    [Fact]
    public void Capital_repair_is_never_above_the_rate_times_the_actual_charge()
    {
        // A building rate below the regional minimum (10.00 on 20 m²): 0.5 × 15.83 × 20 = 158.30 > 0.5 × 200.00.
        var b = BenefitFormulas.CapitalRepairLine(Basis(0.5m, 1, 1, 200m), 20m, null, MinimumRate, 200m);
        b.Amount.ShouldBe(Rub(-100m));
    }

    [Fact]
    public void Example_7_4_retroactive_right_three_corrections_and_what_april_is_due()
    {
        var month = HeatingBenefit(A3).Amount + MaintenanceBenefit().Amount;
        month.ShouldBe(Rub(-762.69m));
        var corrections = Enumerable.Range(1, 3).Select(_ => BenefitFormulas.Correction(month, Money.Zero)).Aggregate(Money.Zero, (a, b) => a + b);
        corrections.ShouldBe(Rub(-2288.07m));
        var charged = Rub(3853.85m) + Rub(1942.56m);
        charged.ShouldBe(Rub(5796.41m));
        (charged + month + corrections).ShouldBe(Rub(2745.65m));
    }

    [Fact]
    public void Nobody_residing_gives_no_benefit()
    {
        var b = BenefitFormulas.AreaLine(Basis(0.5m, 0, 0, Maintenance), Maintenance, Flat, A3);
        b.Amount.ShouldBe(Money.Zero);
        b.Note.ShouldNotBeNull();
    }

    [Fact]
    public void A_partial_month_is_prorated_by_the_days_of_the_right_before_rounding()
    {
        var b = BenefitFormulas.AreaLine(Basis(0.5m, 3, 1, Maintenance) with { Days = new RightDays(20, 30) }, Maintenance, Flat, A3);
        b.Unrounded.ShouldBe(-170.4m);
        b.Amount.ShouldBe(Rub(-170.40m));
    }

    [Theory]
    [InlineData(100.00, -100.00)]
    [InlineData(0.00, 0.00)]
    [InlineData(-5.00, 0.00)]
    public void The_benefit_never_exceeds_the_net_charge(decimal net, decimal expected)
    {
        var b = BenefitFormulas.AreaLine(Basis(1m, 1, 1, net), Maintenance, Flat, null);
        b.Amount.ShouldBe(Rub(expected));
        b.Note.ShouldNotBeNull();
    }

    [Theory]
    [InlineData(1, 33)]
    [InlineData(2, 42)]
    [InlineData(3, 54)]
    [InlineData(5, 90)]
    public void The_federal_area_standard(int household, decimal expected) => AreaStandard.Federal.For(household).ShouldBe(expected);

    [Fact]
    public void An_area_fixed_by_uszn_wins_over_the_table() => AreaStandard.Federal.For(3, 40.5m).ShouldBe(40.5m);

    [Fact]
    public void The_default_categories_are_data_that_a_region_overrides()
    {
        BenefitCategories.Defaults.Select(c => c.Code).ShouldBe(
            ["VOV_INV", "VOV_UCH", "VBD", "FAM_FALLEN", "VET_TRUDA", "INV", "FAM_CHILD_INV", "CHAES", "MNOGODET", "KR70", "KR80"]);
        BenefitCategories.Defaults.ShouldAllBe(c => c.Rate > 0 && c.Rate <= 1 && c.Title.Length > 0 && c.LegalBasis.Length > 0);
        BenefitCategories.Find("vbd")!.Covers(BenefitServiceGroup.Communal).ShouldBeFalse();
        BenefitCategories.Find("INV")!.HousingInPublicStockOnly.ShouldBeTrue();
        var regional = BenefitCategories.Defaults.Select(c => c.Code == "VET_TRUDA" ? c with { Rate = 0.6m } : c).ToList();
        BenefitCategories.Find("VET_TRUDA", regional)!.Rate.ShouldBe(0.6m);
        BenefitCategories.Find("REG_42", regional).ShouldBeNull();
    }

    [Fact]
    public void Service_group_codes_round_trip()
    {
        foreach (var group in Enum.GetValues<BenefitServiceGroup>())
            { BenefitServiceGroups.TryParse(group.Code().ToLowerInvariant(), out var back).ShouldBeTrue(); back.ShouldBe(group); }
        BenefitServiceGroups.TryParse("PENI", out _).ShouldBeFalse();
    }
}
