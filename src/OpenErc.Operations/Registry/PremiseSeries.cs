using Microsoft.EntityFrameworkCore;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Storage;

namespace OpenErc.Operations.Registry;

/// <summary>
/// A building's flats entered in one go, as the БТИ reads them off a technical passport: «квартиры 1–120, 4 подъезда,
/// 10 этажей, на площадке 54,3; 41,0; 72,5». Flats are numbered through the entrances in order, each entrance's flats
/// from the first floor up, and a floor's flats take the landing's areas and rooms in turn.
/// </summary>
public sealed record PremiseSeries(int From, int To, int Entrances, int Floors, IReadOnlyList<decimal> Areas, IReadOnlyList<int> Rooms)
{
    /// <summary>At most this many flats in one series: a building of a region has fewer, and a request stays bounded.</summary>
    public const int MaxFlats = 2000;

    /// <summary>The problems of the series, in Russian; empty when it can be planned.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (From < 1 || To < From) problems.Add("Укажите номера квартир: с какой по какую (первая не больше последней)");
        else if (To - From + 1 > MaxFlats) problems.Add($"Не больше {MaxFlats} квартир за раз");
        if (Entrances is < 1 or > 100) problems.Add("Подъездов должно быть от 1 до 100");
        if (Floors is < 1 or > 200) problems.Add("Этажей должно быть от 1 до 200");
        if (Areas.Count == 0) problems.Add("Укажите площади квартир на площадке");
        if (Rooms.Count > 0 && Rooms.Count != Areas.Count) problems.Add("Комнат указано не столько же, сколько площадей");
        return problems;
    }

    /// <summary>The flats of the series for <paramref name="buildingId"/>, numbered, placed and measured.</summary>
    public List<Premise> Plan(long buildingId)
    {
        int count = To - From + 1;
        int perEntrance = (count + Entrances - 1) / Entrances;
        int perFloor = (perEntrance + Floors - 1) / Floors;
        var flats = new List<Premise>(count);
        for (int i = 0; i < count; i++)
        {
            int inEntrance = i % perEntrance;
            int onLanding = inEntrance % perFloor;
            flats.Add(new Premise
            {
                BuildingId = buildingId, Number = (From + i).ToString(System.Globalization.CultureInfo.InvariantCulture), Kind = PremiseKind.Residential,
                Entrance = i / perEntrance + 1, Floor = inEntrance / perFloor + 1, TotalArea = Areas[onLanding % Areas.Count],
                Rooms = Rooms.Count > 0 ? Rooms[onLanding % Rooms.Count] : null,
            });
        }
        return flats;
    }

    /// <summary>
    /// Creates the series' flats in <paramref name="buildingId"/> in one save, each with the reason in its history; refuses
    /// (<see cref="RegistryValidationException"/>, nothing saved) a series with problems, a flat number the building
    /// already has, or a flat the registry's rules refuse.
    /// </summary>
    public async Task<int> CreateAsync(OpenErcDbContext db, long buildingId, string actor, string? reason, CancellationToken ct = default)
    {
        var problems = Problems().ToList();
        if (string.IsNullOrWhiteSpace(reason)) problems.Add("Укажите основание (технический паспорт, разрешение на ввод)");
        if (!await db.Buildings.AnyAsync(b => b.Id == buildingId, ct)) problems.Add($"Дом №{buildingId} не найден");
        if (problems.Count > 0) throw new RegistryValidationException(new() { [""] = [.. problems] });
        var flats = Plan(buildingId);
        var numbers = flats.Select(f => f.Number).ToList();
        var taken = await db.Premises.Where(p => p.BuildingId == buildingId && numbers.Contains(p.Number)).Select(p => p.Number).ToListAsync(ct);
        if (taken.Count > 0)
            throw new RegistryValidationException(new() { [""] = [$"В доме уже есть помещения с номерами {string.Join(", ", taken.OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).Take(10))}{(taken.Count > 10 ? "…" : "")}"] });
        foreach (var flat in flats)
            if (RegistryValidation.Validate(flat) is { Count: > 0 } invalid)
                throw new RegistryValidationException(new() { [""] = [$"Квартира {flat.Number}: {string.Join("; ", invalid.SelectMany(e => e.Value))}"] });
        db.Actor = actor;
        db.Reason = reason!.Trim();
        db.Premises.AddRange(flats);
        await db.SaveChangesAsync(ct);
        return flats.Count;
    }
}
