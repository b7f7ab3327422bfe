using OpenErc.Operations.Registry;
using Shouldly;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>A building's flats planned from its technical passport: numbered through the entrances, floor by floor.</summary>
public sealed class PremiseSeriesTests
{
    [Fact]
    public void Flats_go_through_the_entrances_floor_by_floor_and_take_the_landings_areas_in_turn()
    {
        var series = new PremiseSeries(1, 120, Entrances: 4, Floors: 10, Areas: [54.3m, 41m, 72.5m], Rooms: [2, 1, 3]);
        series.Problems().ShouldBeEmpty();
        var flats = series.Plan(buildingId: 7);
        flats.Count.ShouldBe(120);
        string At(int number) => flats.Single(f => f.Number == number.ToString(System.Globalization.CultureInfo.InvariantCulture)) is var f
            ? $"{f.Entrance}/{f.Floor}/{f.TotalArea}/{f.Rooms}" : "";
        At(1).ShouldBe("1/1/54.3/2");
        At(3).ShouldBe("1/1/72.5/3");
        At(4).ShouldBe("1/2/54.3/2");
        At(30).ShouldBe("1/10/72.5/3");
        At(31).ShouldBe("2/1/54.3/2");
        At(120).ShouldBe("4/10/72.5/3");
        flats.ShouldAllBe(f => f.BuildingId == 7);
    }

    [Fact]
    public void A_series_that_cannot_be_planned_says_why_in_russian()
    {
        new PremiseSeries(10, 5, 0, 0, [], [1]).Problems().ShouldBe([
            "Укажите номера квартир: с какой по какую (первая не больше последней)",
            "Подъездов должно быть от 1 до 100",
            "Этажей должно быть от 1 до 200",
            "Укажите площади квартир на площадке",
            "Комнат указано не столько же, сколько площадей",
        ]);
        new PremiseSeries(1, PremiseSeries.MaxFlats + 1, 1, 1, [40m], []).Problems().ShouldBe([$"Не больше {PremiseSeries.MaxFlats} квартир за раз"]);
    }
}
