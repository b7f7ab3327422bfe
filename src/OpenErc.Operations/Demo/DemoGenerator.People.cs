using System.Globalization;
using OpenErc.Core.Accounts;
using OpenErc.Operations.Registry;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Demo;

/// <summary>Premises, personal accounts and the people behind them.</summary>
internal sealed partial class DemoGenerator
{
    private static readonly DateOnly EgrnSince = new(2016, 7, 15);
    private static readonly DateOnly BillingSince = new(2005, 1, 1);

    private SettlementPlan _settlement = null!;
    private int _addressSlot;
    private int _minAdultAge;

    // Reused per account: the household being generated.
    private readonly List<HouseholdMember> _members = [];
    private readonly List<DateOnly> _boundaries = [];

    private enum HouseholdKind { Family, Former, Room, Business }

    private struct HouseholdMember
    {
        public long PersonId;
        public Person Person;
        public int Age;
        public bool Registered, Owner;
        public DateOnly From;
        public DateOnly? To;
        public RegistrationKind Kind;
        public string Relation;
    }

    private sealed record PremiseUnit(Premise Premise, int Residents);


    private PremiseUnit Flat(Building b, BuildingProfile p, string number, int? entrance, int? floor, int rooms, int areaHundredths)
    {
        bool communal = !p.Detached && p.Year < 1966 && rooms >= 2 && Chance(6) && _accountsLeft >= rooms;
        // Queued once its household is known (a queued row never changes): a flat let on social tenancy is municipal stock.
        var premise = new Premise
        {
            Id = _t.Premises.NextId(), BuildingId = b.Id, Number = number, Kind = PremiseKind.Residential, Entrance = entrance,
            Floor = floor, TotalArea = Units(areaHundredths, 2), LivingArea = Units(areaHundredths * _rng.Next(50, 69) / 1000 * 10, 2),
            Rooms = rooms, IsCommunalFlat = communal, CadastralNumber = Chance(85) ? NextCadastral(_settlement, _addressSlot, 1) : null,
        };
        var occupied = RandomDate(Max(p.Commissioned, BillingSince), _today.AddDays(-60));
        int residents = 0;
        if (communal)
        {
            // Rooms of a communal flat are owned and billed separately; their shares add up to the whole flat.
            decimal[] shares = rooms switch
            {
                2 => Chance(50) ? [0.5m, 0.5m] : [0.6m, 0.4m],
                3 => Chance(50) ? [0.4m, 0.3m, 0.3m] : [0.34m, 0.33m, 0.33m],
                _ => Chance(50) ? [0.25m, 0.25m, 0.25m, 0.25m] : [0.3m, 0.25m, 0.25m, 0.2m],
            };
            foreach (var share in shares)
            {
                var room = Account(premise, RandomDate(occupied, _today.AddDays(-30)), null, share, HouseholdKind.Room);
                residents += room.Residents;
                if (Chance(95)) IndividualMeter(b, p, premise, room.Id, MeterKind.CommunalFlat, Resource.Electricity, 1, room.Residents);
            }
            WaterMeters(b, p, premise, residents, 60);
            return new PremiseUnit(_t.Premises.Add(premise), residents);
        }

        var from = occupied;
        if (Chance(2) && _accountsLeft >= 2 && occupied.AddYears(1) < _today.AddDays(-30))
        {
            // The previous owner's account, closed on the sale.
            from = RandomDate(occupied.AddYears(1), _today.AddDays(-30));
            Account(premise, occupied, from, 1m, HouseholdKind.Former);
        }
        var household = Account(premise, from, null, 1m, HouseholdKind.Family);
        residents = household.Residents;
        premise.PublicStock = household.SocialTenancy;
        _t.Premises.Add(premise);
        if (p.ColdWater) WaterMeters(b, p, premise, residents, 70);
        if (Chance(95)) IndividualMeter(b, p, premise, null, MeterKind.Individual, Resource.Electricity, Chance(20) ? 2 : 1, residents);
        if (p.Detached && p.Gas && Chance(90)) IndividualMeter(b, p, premise, null, MeterKind.Individual, Resource.Gas, 1, residents);
        return new PremiseUnit(premise, residents);
    }

    private PremiseUnit NonResidential(Building b, BuildingProfile p, string number)
    {
        var premise = _t.Premises.Add(new Premise
        {
            Id = _t.Premises.NextId(), BuildingId = b.Id, Number = number, Kind = PremiseKind.NonResidential,
            Floor = Chance(80) ? 1 : -1, TotalArea = Units(_rng.Next(350, 3501), 1),
            CadastralNumber = NextCadastral(_settlement, _addressSlot, 1),
        });
        Account(premise, RandomDate(Max(p.Commissioned, BillingSince), _today.AddDays(-60)), null, 1m, HouseholdKind.Business);
        // A shop or an office: its consumption is set like a large household's.
        WaterMeters(b, p, premise, 2, 50);
        IndividualMeter(b, p, premise, null, MeterKind.Individual, Resource.Electricity, 1, residents: 5);
        return new PremiseUnit(premise, 0);
    }

    /// <summary>
    /// A personal account with its household; returns the account id, the residents counted on the first day of the
    /// current month and whether the household lives on social tenancy (no owners).
    /// </summary>
    private (long Id, int Residents, bool SocialTenancy) Account(Premise premise, DateOnly from, DateOnly? to, decimal share, HouseholdKind kind)
    {
        _accountsLeft--;
        long id = _t.Accounts.NextId();
        _members.Clear();
        bool municipal = ComposeHousehold(kind, from, to);

        // Owners' shares of the account add up to the account's share of the premise; a social tenancy has none.
        if (!municipal)
        {
            int owners = _members.Count(m => m.Owner);
            decimal[] split = owners switch { 1 => [1m], 2 => [0.5m, 0.5m], _ => [0.5m, 0.25m, 0.25m] };
            // Extracts from ЕГРН replaced the registration certificates in July 2016.
            string document = (from < EgrnSince ? "Свидетельство о государственной регистрации права от " : "Выписка из ЕГРН от ")
                              + from.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
            int i = 0;
            foreach (var m in _members.Where(m => m.Owner))
                _t.Ownerships.Add(new Ownership
                {
                    Id = _t.Ownerships.NextId(), AccountId = id, PersonId = m.PersonId, Share = share * split[i++], ValidFrom = from,
                    ValidTo = to, Document = document,
                });
        }

        foreach (var m in _members.Where(m => m.Registered))
            _t.Registrations.Add(new Registration
            {
                Id = _t.Registrations.NextId(), AccountId = id, PersonId = m.PersonId, Kind = m.Kind, ValidFrom = m.From, ValidTo = m.To,
                Relation = m.Relation,
                EndReason = m.To is not { } ended || ended > _today ? null
                    : m.Kind == RegistrationKind.Temporary ? DeregistrationReason.TemporaryTermExpired : DeregistrationReason.MovedOut,
            });

        int residents = premise.Kind == PremiseKind.Residential ? ResidentCounts(id, from, to) : 0;
        if (kind == HouseholdKind.Family && to is null) HouseholdBenefits(id);
        if (to is null && Chance(1) && _members.FindIndex(m => m.Registered && m.To is null && m.Kind == RegistrationKind.Permanent) is var a and >= 0)
        {
            var absentFrom = RandomDate(Max(_members[a].From, _today.AddDays(-330)), _today.AddDays(-10));
            var absentTo = absentFrom.AddDays(_rng.Next(6, 61));
            if (absentFrom > _members[a].From)
                _t.TemporaryAbsences.Add(new TemporaryAbsence
                {
                    Id = _t.TemporaryAbsences.NextId(), AccountId = id, PersonId = _members[a].PersonId, ValidFrom = absentFrom,
                    ValidTo = absentTo, Document = Pick(DemoNames.AbsenceDocuments),
                });
        }

        _t.Accounts.Add(new DemoAccount(new PersonalAccount
        {
            Id = id, Number = AccountNumber.Create(++_accountSerial), PremiseId = premise.Id, Share = share,
            PayerPersonId = _members[0].PersonId, OpenedOn = from, ClosedOn = to,
        }, premise.BuildingId, AccountSearch.Key(premise.Number), PayerKey(_members[0].Person)));
        return (id, residents, municipal);
    }

    /// <summary>The payer's name as the search keeps it: <c>people.full_name</c> (a generated column) in its search form.</summary>
    private static string PayerKey(Person p) => AccountSearch.Key(p.MiddleName is { } m ? $"{p.LastName} {p.FirstName} {m}" : $"{p.LastName} {p.FirstName}");

    /// <summary>
    /// Fills <see cref="_members"/>: the payer first, then the family. Registrations fall inside the account's
    /// period; children are registered from birth. Returns true for a social tenancy (no owners).
    /// </summary>
    private bool ComposeHousehold(HouseholdKind kind, DateOnly from, DateOnly? to)
    {
        int surname = _rng.Next(DemoNames.MaleSurnames.Length);
        int roll = Pct();
        // Whoever owned or rented the premise at the opening of the account was of age then.
        _minAdultAge = Math.Min(_today.Year - from.Year + 19, 80);
        switch (kind)
        {
            case HouseholdKind.Business:
                AddMember(Chance(60), surname, Adult(28, 66), from, registered: false, owner: true);
                return false;
            case HouseholdKind.Former:
                AddMember(Chance(50), surname, Adult(30, 80), from, owner: true);
                if (roll < 50) AddMember(false, surname, Adult(30, 80), from, owner: Chance(50));
                ClipTo(to);
                return false;
            case HouseholdKind.Room:
                AddMember(Chance(50), surname, Adult(20, 85), from, registered: roll >= 10, owner: true);
                if (roll >= 70) AddMember(false, surname, Adult(20, 85), from);
                return false;
        }

        bool municipal = Chance(5);
        int? father = null;
        if (roll < 6)
        {
            // The owner lives elsewhere: nobody is registered, the owners still count for the norms (ПП 354 п. 56(2)).
            AddMember(Chance(50), surname, Adult(30, 85), from, registered: false, owner: true);
            return municipal;
        }
        if (roll < 30)
        {
            AddMember(Chance(45), surname, Adult(20, 91), from, owner: true);
        }
        else if (roll < 85)
        {
            int husband = _rng.Next(DemoNames.MaleNames.Length);
            father = husband;
            int age = roll < 58 ? Adult(25, 86) : Adult(25, 51);
            AddMember(true, surname, age, from, owner: true, firstName: husband);
            AddMember(false, surname, Math.Max(_minAdultAge, age + _rng.Next(-5, 4)), Chance(85) ? from : RandomDate(from, _today), owner: Chance(55));
            if (roll >= 58) Children(surname, husband, age, from, _rng.Next(1, 4));
        }
        else if (roll < 92)
        {
            int age = Adult(22, 51);
            AddMember(false, surname, age, from, owner: true);
            Children(surname, _rng.Next(DemoNames.MaleNames.Length), age, from, _rng.Next(1, 3));
        }
        else
        {
            int age = Adult(30, 56);
            int grandfather = _rng.Next(DemoNames.MaleNames.Length);
            AddMember(Chance(50), surname, age, from, owner: true, father: grandfather);
            // An elderly parent moved in later; a father gives the patronymic.
            AddMember(Chance(30), surname, age + _rng.Next(22, 35), RandomDate(from, _today.AddDays(-1)), firstName: grandfather);
        }

        if (Chance(6))
        {
            // A grown-up child who has moved out: the registration ended.
            int age = _rng.Next(19, 31);
            var regFrom = Max(from, _today.AddYears(-age));
            var adult = _today.AddYears(18 - age);
            AddMember(Chance(50), surname, age, regFrom, father: father);
            var movedOut = RandomDate(Max(regFrom.AddMonths(6), adult), _today.AddDays(-1));
            if (movedOut > regFrom && movedOut < _today) SetLastTo(movedOut);
        }
        if (Chance(3))
        {
            // A tenant or relative registered for a while (по месту пребывания).
            var regFrom = RandomDate(Max(from, _today.AddDays(-300)), _today.AddDays(-10));
            AddMember(Chance(50), _rng.Next(DemoNames.MaleSurnames.Length), _rng.Next(18, 61), regFrom, kind: RegistrationKind.Temporary);
            SetLastTo(regFrom.AddMonths(_rng.Next(6, 13)));
        }
        // The owner of a larger share sometimes shares it with a grown-up child.
        if (!municipal && _members.Count(m => m.Owner) is 1 or 2 && _members.Count > 2
            && _members[^1] is { Age: >= 18, Owner: false, Kind: RegistrationKind.Permanent } && Chance(15))
            SetOwner(_members.Count - 1);
        return municipal;
    }

    private int Adult(int lo, int hi) => Math.Max(_minAdultAge, _rng.Next(lo, hi));

    private void Children(int surname, int father, int parentAge, DateOnly from, int count)
    {
        for (int i = 0; i < count; i++)
        {
            int age = _rng.Next(0, Math.Clamp(parentAge - 19, 1, 26));
            var born = _today.AddDays(-(age * 365 + _rng.Next(0, 365)));
            AddMember(Chance(51), surname, age, Max(from, born), father: father, born: born);
        }
    }

    private void AddMember(bool male, int surname, int age, DateOnly regFrom, bool registered = true, bool owner = false,
        int? firstName = null, int? father = null, DateOnly? born = null, RegistrationKind kind = RegistrationKind.Permanent)
    {
        var birth = born ?? _today.AddDays(-(age * 365 + _rng.Next(0, 365)));
        var dad = DemoNames.MaleNames[father ?? _rng.Next(DemoNames.MaleNames.Length)];
        var person = _t.People.Add(new Person
        {
            Id = _t.People.NextId(),
            Sex = male ? Sex.Male : Sex.Female,
            LastName = male ? DemoNames.MaleSurnames[surname] : DemoNames.FemaleSurnames[surname],
            FirstName = male ? DemoNames.MaleNames[firstName ?? _rng.Next(DemoNames.MaleNames.Length)].Name : Pick(DemoNames.FemaleNames),
            MiddleName = male ? dad.Son : dad.Daughter,
            BirthDate = birth,
            Snils = Chance(75) ? Snils() : null,
            Phone = age >= 18 && Chance(60)
                ? string.Create(CultureInfo.InvariantCulture, $"+7 9{_rng.Next(0, 100):D2} {_rng.Next(0, 1000):D3}-{_rng.Next(0, 100):D2}-{_rng.Next(0, 100):D2}")
                : null,
        });
        // The relation to the owner as the house book writes it: a child has the father's name given, a stay is «прочие».
        string relation = owner ? "собственник" : kind == RegistrationKind.Temporary ? "прочие" : father is not null ? (male ? "сын" : "дочь") : "член семьи собственника";
        _members.Add(new HouseholdMember
        {
            PersonId = person.Id, Person = person, Age = age, Registered = registered, Owner = owner, From = regFrom, Kind = kind, Relation = relation,
        });
    }

    private void SetLastTo(DateOnly to)
    {
        var m = _members[^1];
        m.To = to;
        _members[^1] = m;
    }

    private void SetOwner(int index)
    {
        var m = _members[index];
        m.Owner = true;
        _members[index] = m;
    }

    /// <summary>A closed account's registrations end when it closes.</summary>
    private void ClipTo(DateOnly? to)
    {
        for (int i = 0; i < _members.Count; i++)
        {
            var m = _members[i];
            if (to is { } end && (m.To is null || m.To > end)) m.To = end;
            _members[i] = m;
        }
    }

    /// <summary>
    /// Resident-count records that follow the registrations in force (n_i of ПП 354 by default), from the account's
    /// opening to its closing; returns the count on the first day of the current month.
    /// </summary>
    private int ResidentCounts(long accountId, DateOnly from, DateOnly? to)
    {
        _boundaries.Clear();
        _boundaries.Add(from);
        foreach (var m in _members.Where(m => m.Registered))
        {
            if (m.From > from) _boundaries.Add(m.From);
            if (m.To is { } end && (to is null || end < to)) _boundaries.Add(end);
        }
        _boundaries.Sort();
        int? open = null;
        DateOnly openFrom = from;
        int today = 0;
        for (int i = 0; i < _boundaries.Count; i++)
        {
            var day = _boundaries[i];
            if (i > 0 && day == _boundaries[i - 1]) continue;
            int count = 0;
            foreach (var m in _members)
                if (m.Registered && m.From <= day && (m.To is null || m.To > day)) count++;
            if (day <= _today) today = count;
            if (count == open) continue;
            if (open is { } previous) AddResidentCount(accountId, previous, openFrom, day);
            open = count;
            openFrom = day;
        }
        AddResidentCount(accountId, open!.Value, openFrom, to);
        return to is null ? today : 0;
    }

    private void AddResidentCount(long accountId, int count, DateOnly from, DateOnly? to) =>
        _t.ResidentCounts.Add(new ResidentCount
        {
            Id = _t.ResidentCounts.NextId(), AccountId = accountId, Count = count, ValidFrom = from, ValidTo = to, Basis = "по регистрации",
        });

    /// <summary>A valid СНИЛС: nine digits and their check number (<see cref="Core.Residents.Snils.CheckNumber"/>).</summary>
    private string Snils()
    {
        int n = _rng.Next(2_000_000, 200_000_000);
        return string.Create(CultureInfo.InvariantCulture, $"{n / 1_000_000:D3}-{n / 1000 % 1000:D3}-{n % 1000:D3} {Core.Residents.Snils.CheckNumber(n):D2}");
    }
}
