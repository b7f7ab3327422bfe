using System.Globalization;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Core.Penalties;
using OpenErc.Core.Tariffs;
using OpenErc.Operations.Security;

namespace OpenErc.Operations.Demo;

/// <summary>What the database holds before the load and the demo must respect.</summary>
internal sealed record DemoBaseline(IReadOnlyDictionary<string, long> ServicesByCode, bool HasKeyRates, bool HasNorms, bool HasDemoLogin);

/// <summary>The reference part of the region: municipalities, organisations, catalogue, tariffs, norms, key rates.</summary>
internal sealed partial class DemoGenerator
{
    public const string DemoLogin = "demo-bank";

    private readonly string[] _cityStreets;
    private MunicipalityPlan[] _municipalities = [];
    private readonly Dictionary<string, long> _services = new(StringComparer.Ordinal);
    private OrganisationIds _org = null!;

    private sealed record OrganisationIds(long BillingCentre, long Water, long Heat, long Power, long Gas,
        long CapitalRepair, long Waste, long HomeownersAssociation, long HousingCooperative, long[] Managers);

    private sealed class MunicipalityPlan(string name, string oktmo, int weight, HeatingPaymentMethod heating, bool wasteByArea,
        SettlementPlan[] settlements, long[] managers)
    {
        public long Id;
        public string Name { get; } = name;
        public string Oktmo { get; } = oktmo;
        public int Weight { get; } = weight;
        public HeatingPaymentMethod Heating { get; } = heating;
        public bool WasteByArea { get; } = wasteByArea;
        public SettlementPlan[] Settlements { get; } = settlements;
        public long[] Managers { get; } = managers;
        public int Buildings;
    }

    /// <summary>A town or village: where its streets stand and how far along each street the numbering is.</summary>
    private sealed class SettlementPlan(string name, int weight, bool rural, int detachedPercent, string postalPrefix, int postalCodes,
        string cadastralDistrict, int cadastralQuarter, string[] streets)
    {
        public string Name { get; } = name;
        public int Weight { get; } = weight;
        public bool Rural { get; } = rural;
        public int DetachedPercent { get; } = detachedPercent;
        public string PostalPrefix { get; } = postalPrefix;
        public int PostalCodes { get; } = postalCodes;
        public string CadastralDistrict { get; } = cadastralDistrict;
        public int CadastralQuarter { get; } = cadastralQuarter;
        public string[] Streets { get; } = streets;
        public readonly int[] LastHouse = new int[streets.Length];
        public readonly int[] LastCadastral = new int[streets.Length];
        public int Street = -1, HousesLeftOnStreet;
    }

    private readonly record struct Address(string Street, string House, string? Block, string PostalCode, int Slot);

    // ---------------------------------------------------------------- reference rows

    private void WriteReference()
    {
        var orgs = Organisations();
        Services();
        _municipalities =
        [
            new("Городской округ город Новоград", "65701000", 60, HeatingPaymentMethod.DuringHeatingSeason, false,
                [new("г. Новоград", 1, false, 6, "620", 150, "66:41", 204001, _cityStreets)],
                [orgs["УК1"], orgs["УК2"]]),
            new("Заречный городской округ", "65737000", 20, HeatingPaymentMethod.EvenlyThroughYear, false,
                [new("г. Заречный", 1, false, 10, "62425", 4, "66:42", 301001, _cityStreets)],
                [orgs["УК3"]]),
            new("Берёзовский муниципальный район", "65608000", 12, HeatingPaymentMethod.EvenlyThroughYear, true,
                [
                    new("пгт Берёзовский", 60, false, 35, "62370", 3, "66:06", 102001, _cityStreets),
                    new("с. Никольское", 25, true, 85, "623715", 1, "66:06", 501001, DemoNames.RuralStreets),
                    new("д. Малиновка", 15, true, 95, "623716", 1, "66:06", 601001, DemoNames.RuralStreets),
                ],
                [orgs["УК4"]]),
            new("Каменский муниципальный округ", "65620000", 8, HeatingPaymentMethod.DuringHeatingSeason, false,
                [
                    new("г. Каменск", 70, false, 20, "62343", 5, "66:12", 401001, _cityStreets),
                    new("с. Покровское", 30, true, 85, "623450", 1, "66:12", 701001, DemoNames.RuralStreets),
                ],
                [orgs["УК5"]]),
        ];
        foreach (var m in _municipalities)
        {
            m.Id = _t.Municipalities.NextId();
            _t.Municipalities.Add(new Municipality { Id = m.Id, Name = m.Name, Oktmo = m.Oktmo });
            AddAccessGroup(AccessGroupKind.Municipality, m.Name, m.Id, null);
        }
        BenefitDeliveries();
        LimitIndices();
        foreach (var key in new[] { "УК1", "УК2", "УК3", "УК4", "УК5", "ТСЖ", "ЖСК" })
            AddAccessGroup(AccessGroupKind.ManagementCompany, _orgNames[orgs[key]], null, orgs[key]);

        Tariffs();
        if (!_baseline.HasNorms) Norms();
        if (!_baseline.HasKeyRates) KeyRates();
    }

    private readonly Dictionary<long, string> _orgNames = [];

    /// <summary>The demo agents' commission terms, written in the organisations' transaction (the table has no ids to hand out).</summary>
    public string AgentTermsSql { get; private set; } = "";
    private int _associationBuildings, _cooperativeBuildings;

    private Dictionary<string, long> Organisations()
    {
        var banks = new[]
        {
            (Name: "ПАО «Новоградкомбанк»", Bik: "046577601"),
            (Name: "АО «Земельный банк»", Bik: "046577902"),
        };
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        void Org(string key, OrganisationKind kind, string name, string shortName, string site, string street, string accountPrefix = "40702")
        {
            var bank = kind == OrganisationKind.Bank ? banks[ids.Count(k => k.Key.StartsWith("Банк", StringComparison.Ordinal))] : Pick(banks);
            var inn = Requisites.CompleteInn10(string.Create(CultureInfo.InvariantCulture, $"66{_rng.Next(1, 100):D2}{_rng.Next(0, 100_000):D5}"));
            var org = new Organisation
            {
                Id = _t.Organisations.NextId(),
                Kind = kind,
                Name = name,
                ShortName = shortName,
                Inn = inn,
                Kpp = inn[..4] + "01001",
                Ogrn = Requisites.CompleteOgrn(string.Create(CultureInfo.InvariantCulture, $"1{_rng.Next(2, 24):D2}66{_rng.Next(0, 10_000_000):D7}")),
                LegalAddress = string.Create(CultureInfo.InvariantCulture,
                    $"620{_rng.Next(0, 150):D3}, {RegionName}, г. Новоград, {street}, д. {_rng.Next(1, 120)}"),
                Phone = string.Create(CultureInfo.InvariantCulture, $"+7 (343) 2{_rng.Next(10, 100)}-{_rng.Next(10, 100)}-{_rng.Next(10, 100)}"),
                Email = $"info@{site}",
                BankName = bank.Name,
                Bik = bank.Bik,
                SettlementAccount = Requisites.CompleteSettlementAccount(
                    string.Create(CultureInfo.InvariantCulture, $"{accountPrefix}8100{_rng.Next(1000, 10_000)}{_rng.Next(0, 10_000_000):D7}"), bank.Bik),
                CorrespondentAccount = Requisites.CompleteCorrespondentAccount("301018100" + "00000000" + bank.Bik[^3..], bank.Bik),
            };
            _t.Organisations.Add(org);
            ids[key] = org.Id;
            _orgNames[org.Id] = shortName;
        }

        Org("ЕРЦ", OrganisationKind.BillingCentre, "Акционерное общество «Единый расчётный центр Новоградской области»", "АО «ЕРЦ»",
            "erc-novograd.ru", "ул. Малышева");
        Org("УК1", OrganisationKind.ManagementCompany, "Общество с ограниченной ответственностью «Управляющая компания «Жилкомсервис»",
            "ООО «УК «Жилкомсервис»", "zhks-novograd.ru", "ул. Ленина");
        Org("УК2", OrganisationKind.ManagementCompany, "Общество с ограниченной ответственностью «Управляющая компания «Уютный дом»",
            "ООО «УК «Уютный дом»", "uyut-dom.ru", "пр-кт Космонавтов");
        Org("УК3", OrganisationKind.ManagementCompany, "Общество с ограниченной ответственностью «Управляющая компания «Заречье»",
            "ООО «УК «Заречье»", "uk-zarechye.ru", "ул. Кирова");
        Org("УК4", OrganisationKind.ManagementCompany, "Муниципальное унитарное предприятие «Берёзовское жилищно-коммунальное хозяйство»",
            "МУП «Берёзовское ЖКХ»", "bzhkh.ru", "ул. Гагарина");
        Org("УК5", OrganisationKind.ManagementCompany, "Общество с ограниченной ответственностью «Каменская управляющая компания»",
            "ООО «Каменская УК»", "kamuk.ru", "ул. Мира");
        Org("ТСЖ", OrganisationKind.HomeownersAssociation, "Товарищество собственников жилья «Солнечный»", "ТСЖ «Солнечный»",
            "tsg-solnechny.ru", "ул. Солнечная", "40703");
        Org("ЖСК", OrganisationKind.HousingCooperative, "Жилищно-строительный кооператив «Строитель-2»", "ЖСК «Строитель-2»",
            "zhsk-stroitel.ru", "ул. Строителей", "40703");
        Org("Вода", OrganisationKind.ResourceSupplier, "Акционерное общество «Новоградский водоканал»", "АО «Водоканал»",
            "vodokanal-novograd.ru", "ул. Водопроводная");
        Org("Тепло", OrganisationKind.ResourceSupplier, "Акционерное общество «Новоградская теплосеть»", "АО «Теплосеть»",
            "teploset-novograd.ru", "ул. Энергетиков");
        Org("Энергия", OrganisationKind.ResourceSupplier, "Акционерное общество «Новоградэнергосбыт»", "АО «Энергосбыт»",
            "energosbyt-novograd.ru", "ул. Свердлова");
        Org("Газ", OrganisationKind.ResourceSupplier, "Общество с ограниченной ответственностью «Новоградгазсбыт»", "ООО «Газсбыт»",
            "gazsbyt-novograd.ru", "ул. Газовиков");
        Org("РОКР", OrganisationKind.CapitalRepairRegionalOperator,
            "Некоммерческая организация «Фонд капитального ремонта многоквартирных домов Новоградской области»", "НО «Фонд капремонта»",
            "fkr-novograd.ru", "ул. Чапаева", "40703");
        Org("РОТКО", OrganisationKind.WasteRegionalOperator, "Общество с ограниченной ответственностью «Региональный оператор «ЧистоГрад»",
            "ООО «ЧистоГрад»", "chistograd.ru", "ул. Промышленная");
        Org("Банк1", OrganisationKind.Bank, "Публичное акционерное общество «Новоградкомбанк»", "ПАО «Новоградкомбанк»",
            "novogradcombank.ru", "ул. Куйбышева");
        Org("Банк2", OrganisationKind.Bank, "Акционерное общество «Земельный банк»", "АО «Земельный банк»", "zembank.ru", "ул. Вайнера");
        Org("Агент", OrganisationKind.PaymentAgent, "Общество с ограниченной ответственностью «Город-Платёж»", "ООО «Город-Платёж»",
            "gorod-platezh.ru", "ул. Радищева");

        _org = new OrganisationIds(ids["ЕРЦ"], ids["Вода"], ids["Тепло"], ids["Энергия"], ids["Газ"], ids["РОКР"], ids["РОТКО"],
            ids["ТСЖ"], ids["ЖСК"], [ids["УК1"], ids["УК2"], ids["УК3"], ids["УК4"], ids["УК5"], ids["ТСЖ"], ids["ЖСК"]]);

        // The agents' commission terms (103-ФЗ): the bank's 1.2 % is paid by the recipients out of each payment, the
        // agent's 1.5 % by the payer on top of it.
        AgentTermsSql = string.Create(CultureInfo.InvariantCulture, $"""
            INSERT INTO payment_agent_terms (agent_id, valid_from, commission_percent, commission_paid_by, registry_profile, recorded_by)
            VALUES ({ids["Банк1"]}, '2020-01-01', 1.2, 'recipient', 'sber', 'демо'), ({ids["Агент"]}, '2020-01-01', 1.5, 'payer', 'sber', 'демо')
            """);

        // The bank's login for the online payment protocol. The salt comes from the seed so that the same seed gives
        // the same rows; it is still a proper PBKDF2 hash of the published demo password.
        var salt = new byte[PasswordHasher.SaltBytes];
        _rng.NextBytes(salt);
        if (!_baseline.HasDemoLogin)
            _t.PaymentAgentAccesses.Add(new PaymentAgentAccess
            {
                Id = _t.PaymentAgentAccesses.NextId(), OrganisationId = ids["Банк1"], Login = DemoLogin,
                PasswordHash = PasswordHasher.Hash(DemoLogin, salt), AllowedAddresses = "127.0.0.1,::1",
            });
        return ids;
    }

    private void AddAccessGroup(AccessGroupKind kind, string name, long? municipality, long? organisation) =>
        _t.AccessGroups.Add(new AccessGroup
        {
            Id = _t.AccessGroups.NextId(), Kind = kind, Name = name, MunicipalityId = municipality, OrganisationId = organisation,
        });

    /// <summary>The services catalogue; codes are stable, and only the missing ones are added.</summary>
    private void Services()
    {
        (string Code, string Name, ServiceKind Kind, Resource Resource, string Unit, int Zones)[] catalogue =
        [
            ("cold_water", "Холодное водоснабжение", ServiceKind.Communal, Resource.ColdWater, "м³", 1),
            ("hot_water", "Горячее водоснабжение", ServiceKind.Communal, Resource.HotWater, "м³", 1),
            ("sewage", "Водоотведение", ServiceKind.Communal, Resource.Sewage, "м³", 1),
            ("electricity", "Электроэнергия", ServiceKind.Communal, Resource.Electricity, "кВт·ч", 3),
            ("heating", "Отопление", ServiceKind.Communal, Resource.Heat, "Гкал", 1),
            ("gas", "Газ", ServiceKind.Communal, Resource.Gas, "м³", 1),
            ("maintenance", "Содержание жилого помещения", ServiceKind.Housing, Resource.None, "м²", 1),
            ("capital_repair", "Взнос на капитальный ремонт", ServiceKind.Housing, Resource.None, "м²", 1),
            ("waste", "Обращение с ТКО", ServiceKind.Communal, Resource.None, "м³", 1),
            ("cpr_cold_water", "Холодная вода на содержание общего имущества", ServiceKind.CommonPropertyResource, Resource.ColdWater, "м³", 1),
            ("cpr_hot_water", "Горячая вода на содержание общего имущества", ServiceKind.CommonPropertyResource, Resource.HotWater, "м³", 1),
            ("cpr_sewage", "Отведение сточных вод на содержание общего имущества", ServiceKind.CommonPropertyResource, Resource.Sewage, "м³", 1),
            ("cpr_electricity", "Электроэнергия на содержание общего имущества", ServiceKind.CommonPropertyResource, Resource.Electricity, "кВт·ч", 1),
        ];
        for (int i = 0; i < catalogue.Length; i++)
        {
            var s = catalogue[i];
            if (_baseline.ServicesByCode.TryGetValue(s.Code, out long existing))
            {
                _services[s.Code] = existing;
                continue;
            }
            var service = _t.Services.Add(new Service
            {
                Id = _t.Services.NextId(), Code = s.Code, Name = s.Name, Kind = s.Kind, Resource = s.Resource, Unit = s.Unit,
                MaxZones = s.Zones, SortOrder = (i + 1) * 10,
            });
            _services[s.Code] = service.Id;
        }
    }

    /// <summary>
    /// The governor's limit indices of the payment for communal services (ПП 400; illustrative): 11.9 % from each 1 July
    /// indexation of the tariffs' years against the December before, as the demo's tariffs rise; the first municipality without a deviation, the
    /// others with 1.5 % allowed — so that the accounts whose set of services grew the most stand out there.
    /// </summary>
    private void LimitIndices()
    {
        for (var from = _tariffsSince; from <= _tariffChange; from = from.AddYears(1))
            for (int i = 0; i < _municipalities.Length; i++)
                _t.LimitIndices.Add(new LimitIndex
                {
                    Id = _t.LimitIndices.NextId(), MunicipalityId = _municipalities[i].Id, Percent = 11.9m, DeviationPercent = i == 0 ? 0m : 1.5m,
                    BaseMonth = new DateOnly(from.Year - 1, 12, 1), ValidFrom = from, ValidTo = from == _tariffChange ? null : from.AddYears(1),
                });
    }

    /// <summary>Rates before and after the 1 July indexation (₽ per unit; illustrative, close to 2025 levels).</summary>
    private void Tariffs()
    {
        AddTariff(_org.Water, "cold_water", TariffZone.Single, 52.37m, 58.61m);
        AddTariff(_org.Water, "sewage", TariffZone.Single, 38.15m, 42.69m);
        AddTariff(_org.Heat, "hot_water", TariffZone.Single, 245.82m, 275.07m);
        AddTariff(_org.Heat, "heating", TariffZone.Single, 2845.60m, 3184.23m);
        AddTariff(_org.Power, "electricity", TariffZone.Single, 5.95m, 6.66m);
        AddTariff(_org.Power, "electricity", TariffZone.Day, 6.43m, 7.20m);
        AddTariff(_org.Power, "electricity", TariffZone.Night, 3.21m, 3.59m);
        AddTariff(_org.Gas, "gas", TariffZone.Single, 8.12m, 9.09m);
        AddTariff(_org.CapitalRepair, "capital_repair", TariffZone.Single, 15.83m, 17.13m); // the regional minimum (ЖК ст. 156 ч. 8.1)
        AddTariff(_org.Waste, "waste", TariffZone.Single, 780.50m, 873.38m);
        // КР на СОИ is billed by the manager at the resource tariffs.
        foreach (var manager in _org.Managers)
        {
            AddTariff(manager, "cpr_cold_water", TariffZone.Single, 52.37m, 58.61m);
            AddTariff(manager, "cpr_hot_water", TariffZone.Single, 245.82m, 275.07m);
            AddTariff(manager, "cpr_sewage", TariffZone.Single, 38.15m, 42.69m);
            AddTariff(manager, "cpr_electricity", TariffZone.Single, 5.95m, 6.66m);
        }
    }

    private void AddTariff(long supplier, string service, TariffZone zone, decimal before, decimal after, long? building = null)
    {
        foreach (var (rate, validFrom, validTo) in YearlyValues(before, after))
            _t.Tariffs.Add(new Tariff
            {
                Id = _t.Tariffs.NextId(), SupplierId = supplier, ServiceId = _services[service], BuildingId = building, Zone = zone,
                Rate = rate, ValidFrom = validFrom, ValidTo = validTo,
            });
    }

    /// <summary>
    /// A rate's years, earliest first: <paramref name="after"/> from <see cref="_tariffChange"/> on, <paramref name="before"/> the year
    /// before it, and each earlier year back to <see cref="_tariffsSince"/> the next year's value less the same indexation,
    /// rounded to the digits of <paramref name="before"/>.
    /// </summary>
    private List<(decimal Value, DateOnly From, DateOnly? To)> YearlyValues(decimal before, decimal after)
    {
        var years = new List<(decimal, DateOnly, DateOnly?)> { (after, _tariffChange, null) };
        decimal value = before;
        for (var from = _tariffChange.AddYears(-1); from >= _tariffsSince; from = from.AddYears(-1))
        {
            years.Add((value, from, from.AddYears(1)));
            value = decimal.Round(value * before / after, before.Scale, MidpointRounding.AwayFromZero);
        }
        years.Reverse();
        return years;
    }

    /// <summary>Regional norms (illustrative values of the usual magnitude), revised by 2 % on 1 July.</summary>
    private void Norms()
    {
        const string perPerson = "м³/чел. в месяц";
        AddNorm("cold_water", "mkd_bath", "МКД с ванной 1500–1700 мм и душем", perPerson, 4.745m);
        AddNorm("cold_water", "mkd_shower", "МКД с душем без ванны", perPerson, 4.245m);
        AddNorm("cold_water", "mkd_no_hot_water", "МКД без ГВС, с водонагревателем", perPerson, 6.935m);
        AddNorm("cold_water", "house_tap", "Жилой дом с водопроводом", perPerson, 3.050m);
        AddNorm("hot_water", "mkd_bath", "МКД с ванной 1500–1700 мм и душем", perPerson, 3.118m);
        AddNorm("hot_water", "mkd_shower", "МКД с душем без ванны", perPerson, 2.735m);
        AddNorm("sewage", "mkd_bath", "МКД с ванной 1500–1700 мм и душем", perPerson, 7.863m);
        AddNorm("sewage", "mkd_shower", "МКД с душем без ванны", perPerson, 6.980m);
        AddNorm("sewage", "mkd_no_hot_water", "МКД без ГВС, с водонагревателем", perPerson, 6.935m);
        AddNorm("sewage", "house", "Жилой дом с канализацией", perPerson, 3.050m);
        AddNorm("heating", "mkd_before_1999", "МКД постройки до 1999 года", "Гкал/м² в месяц", 0.0198m);
        AddNorm("heating", "mkd_after_1999", "МКД постройки после 1999 года", "Гкал/м² в месяц", 0.0142m);
        AddNorm("gas", "stove", "Газовая плита", perPerson, 10.8m);
        AddNorm("gas", "stove_water_heater", "Газовая плита и водонагреватель", perPerson, 26.3m);
        AddNorm("gas", "heating", "Отопление жилого дома газом", "м³/м² в месяц", 7.4m);
        AddNorm("waste", "mkd", "Многоквартирные дома", "м³/чел. в год", 2.2m);
        AddNorm("waste", "house", "Жилые дома", "м³/чел. в год", 2.64m);
        AddNorm("waste", "area", "На 1 м² общей площади", "м³/м² в год", 0.12m);
        AddNorm("cpr_cold_water", "mkd", "На 1 м² общего имущества", "м³/м² в месяц", 0.0317m);
        AddNorm("cpr_hot_water", "mkd", "На 1 м² общего имущества", "м³/м² в месяц", 0.0317m);
        AddNorm("cpr_sewage", "mkd", "На 1 м² общего имущества", "м³/м² в месяц", 0.0634m);
        AddNorm("cpr_electricity", "with_lift", "МКД с лифтом", "кВт·ч/м² в месяц", 2.05m);
        AddNorm("cpr_electricity", "no_lift", "МКД без лифта", "кВт·ч/м² в месяц", 0.95m);
        // Electricity per person by rooms and residents (ПП 354: the norm row is chosen by both).
        int[,] gasStove = { { 117, 73, 57, 46, 40 }, { 138, 86, 67, 54, 47 }, { 152, 94, 73, 59, 51 }, { 162, 101, 78, 63, 55 } };
        foreach (var (stove, title, factor) in new[] { ("gas", "газовая плита", 100), ("electric", "электроплита", 140) })
            for (int rooms = 1; rooms <= 4; rooms++)
                for (int residents = 1; residents <= 5; residents++)
                    AddNorm("electricity", string.Create(CultureInfo.InvariantCulture, $"stove={stove};rooms={rooms};residents={residents}"),
                        string.Create(CultureInfo.InvariantCulture, $"{title}, {rooms} комн., {residents}{(residents == 5 ? " и более" : "")} чел."),
                        "кВт·ч/чел. в месяц", gasStove[rooms - 1, residents - 1] * factor / 100);
    }

    private void AddNorm(string service, string category, string description, string unit, decimal before)
    {
        var after = decimal.Round(before * 1.02m, before.Scale, MidpointRounding.AwayFromZero);
        foreach (var (value, validFrom, validTo) in YearlyValues(before, after))
            _t.ConsumptionNorms.Add(new ConsumptionNorm
            {
                Id = _t.ConsumptionNorms.NextId(), ServiceId = _services[service], Category = category, Description = description,
                Unit = unit, Value = value, ValidFrom = validFrom, ValidTo = validTo,
            });
    }

    /// <summary>The Bank of Russia key rate history (percent per year) for пени: the built-in table of Core.</summary>
    private void KeyRates()
    {
        var history = KeyRateHistory.BankOfRussia;
        for (int i = 0; i < history.Count; i++)
            _t.KeyRates.Add(new KeyRate
            {
                Id = _t.KeyRates.NextId(), RatePercent = history[i].Percent, ValidFrom = history[i].From,
                ValidTo = i + 1 < history.Count ? history[i + 1].From : null,
            });
    }

    // ---------------------------------------------------------------- addresses and managers

    /// <summary>City streets: every name once with a type drawn mostly «ул.», then the other types in turn.</summary>
    private string[] CityStreets()
    {
        var names = DemoNames.CityStreetNames;
        var types = DemoNames.CityStreetTypes;
        var first = names.Select(n => (Pct() switch { < 60 => types[0], < 72 => types[1], < 84 => types[2], < 92 => types[3], < 97 => types[4], _ => types[5] }) + " " + n);
        var rest = types.SelectMany(t => names.Select(n => t + " " + n));
        return first.Concat(rest).Distinct().ToArray();
    }

    private Address NextAddress(SettlementPlan s, bool apartment)
    {
        if (s.HousesLeftOnStreet == 0)
        {
            // Each settlement starts somewhere else in the list of names.
            s.Street = s.Street < 0 ? _rng.Next(s.Streets.Length) : s.Street + 1;
            s.HousesLeftOnStreet = s.Rural ? _rng.Next(10, 40) : _rng.Next(3, 16);
        }
        s.HousesLeftOnStreet--;
        // Past the last street the numbering goes on along the first ones, so addresses stay unique.
        int slot = s.Street % s.Streets.Length;
        int house = s.LastHouse[slot] += _rng.Next(1, 3);
        var number = house.ToString(CultureInfo.InvariantCulture) + (Chance(4) ? "А" : "");
        string? block = apartment && !s.Rural && Chance(8) ? _rng.Next(1, 4).ToString(CultureInfo.InvariantCulture) : null;
        var postal = s.PostalPrefix.Length == 6 ? s.PostalPrefix
            : s.PostalPrefix + (slot % s.PostalCodes).ToString("D" + (6 - s.PostalPrefix.Length), CultureInfo.InvariantCulture);
        return new Address(s.Streets[slot], number, block, postal, slot);
    }

    /// <summary>Cadastral numbers «66:41:0204016:1234»: one quarter per street, objects numbered along it.</summary>
    private string NextCadastral(SettlementPlan s, int slot, int gap) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{s.CadastralDistrict}:{s.CadastralQuarter + slot:D7}:{s.LastCadastral[slot] += gap}");

    /// <summary>
    /// A municipality's own management companies manage most buildings; in the city an owners' association and a
    /// housing cooperative manage up to a handful (one of them for sure, so that a small region shows every kind).
    /// </summary>
    private long ChooseManager(MunicipalityPlan m, int year)
    {
        int ordinal = ++m.Buildings;
        if (m == _municipalities[0])
        {
            if (ordinal == 2 || _associationBuildings < 5 && year >= 1995 && Chance(3))
            {
                _associationBuildings++;
                return _org.HomeownersAssociation;
            }
            if (ordinal == 3 || _cooperativeBuildings < 5 && year is >= 1960 and < 1995 && Chance(3))
            {
                _cooperativeBuildings++;
                return _org.HousingCooperative;
            }
        }
        return Pick(m.Managers);
    }
}
