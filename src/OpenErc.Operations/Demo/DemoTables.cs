using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Benefits;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;

namespace OpenErc.Operations.Demo;

/// <summary>
/// The registry tables the demo writes, in foreign-key order (parents first), with their column lists as in the
/// migration. The generated columns (<c>buildings.address</c>, <c>people.full_name</c>) are left to the server.
/// </summary>
internal sealed class DemoTables
{
    public readonly CopyTable<Municipality> Municipalities = new("municipalities", "id, name, oktmo",
        (w, x) => { w.Put(x.Id); w.Put(x.Name); w.Put(x.Oktmo); });

    public readonly CopyTable<Organisation> Organisations = new("organisations",
        "id, kind, name, short_name, inn, kpp, ogrn, legal_address, phone, email, bank_name, bik, settlement_account, correspondent_account",
        (w, x) =>
        {
            w.Put(x.Id); w.Put((int)x.Kind); w.Put(x.Name); w.Put(x.ShortName); w.Put(x.Inn); w.Put(x.Kpp); w.Put(x.Ogrn);
            w.Put(x.LegalAddress); w.Put(x.Phone); w.Put(x.Email); w.Put(x.BankName); w.Put(x.Bik); w.Put(x.SettlementAccount);
            w.Put(x.CorrespondentAccount);
        });

    public readonly CopyTable<PaymentAgentAccess> PaymentAgentAccesses = new("payment_agent_accesses",
        "id, organisation_id, login, password_hash, allowed_addresses",
        (w, x) => { w.Put(x.Id); w.Put(x.OrganisationId); w.Put(x.Login); w.Put(x.PasswordHash); w.Put(x.AllowedAddresses); });

    public readonly CopyTable<AccessGroup> AccessGroups = new("access_groups", "id, kind, name, municipality_id, organisation_id",
        (w, x) => { w.Put(x.Id); w.Put((int)x.Kind); w.Put(x.Name); w.Put(x.MunicipalityId); w.Put(x.OrganisationId); });

    public readonly CopyTable<Service> Services = new("services", "id, code, name, kind, resource, unit, max_zones, sort_order",
        (w, x) => { w.Put(x.Id); w.Put(x.Code); w.Put(x.Name); w.Put((int)x.Kind); w.Put((int)x.Resource); w.Put(x.Unit); w.Put(x.MaxZones); w.Put(x.SortOrder); });

    public readonly CopyTable<KeyRate> KeyRates = new("key_rates", "id, rate_percent, valid_from, valid_to",
        (w, x) => { w.Put(x.Id); w.Put(x.RatePercent); w.Put(x.ValidFrom); w.Put(x.ValidTo); });

    public readonly CopyTable<LimitIndex> LimitIndices = new("limit_indices", "id, municipality_id, percent, deviation_percent, base_month, valid_from, valid_to",
        (w, x) => { w.Put(x.Id); w.Put(x.MunicipalityId); w.Put(x.Percent); w.Put(x.DeviationPercent); w.Put(x.BaseMonth); w.Put(x.ValidFrom); w.Put(x.ValidTo); });

    public readonly CopyTable<ConsumptionNorm> ConsumptionNorms = new("consumption_norms",
        "id, service_id, municipality_id, category, description, value, unit, valid_from, valid_to",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.ServiceId); w.Put(x.MunicipalityId); w.Put(x.Category); w.Put(x.Description); w.Put(x.Value);
            w.Put(x.Unit); w.Put(x.ValidFrom); w.Put(x.ValidTo);
        });

    public readonly CopyTable<Building> Buildings = new("buildings",
        "id, municipality_id, kind, postal_code, region, settlement, street, house, block, fias_guid, cadastral_number, year_built, " +
        "floors, entrances, total_area, residential_area, non_residential_area, common_property_area, wear_percent, " +
        "heating_payment_method, capital_repair_fund_method",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.MunicipalityId); w.Put((int)x.Kind); w.Put(x.PostalCode); w.Put(x.Region); w.Put(x.Settlement);
            w.Put(x.Street); w.Put(x.House); w.Put(x.Block); w.Put(x.FiasGuid); w.Put(x.CadastralNumber); w.Put(x.YearBuilt);
            w.Put(x.Floors); w.Put(x.Entrances); w.Put(x.TotalArea); w.Put(x.ResidentialArea); w.Put(x.NonResidentialArea);
            w.Put(x.CommonPropertyArea); w.Put(x.WearPercent); w.Put((int)x.HeatingPaymentMethod); w.Put((int)x.CapitalRepairFundMethod);
        });

    public readonly CopyTable<BuildingManagement> BuildingManagements = new("building_managements",
        "id, building_id, organisation_id, valid_from, valid_to",
        (w, x) => { w.Put(x.Id); w.Put(x.BuildingId); w.Put(x.OrganisationId); w.Put(x.ValidFrom); w.Put(x.ValidTo); });

    public readonly CopyTable<Premise> Premises = new("premises",
        "id, building_id, number, kind, entrance, floor, total_area, living_area, rooms, is_communal_flat, cadastral_number, public_stock",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.BuildingId); w.Put(x.Number); w.Put((int)x.Kind); w.Put(x.Entrance); w.Put(x.Floor);
            w.Put(x.TotalArea); w.Put(x.LivingArea); w.Put(x.Rooms); w.Put(x.IsCommunalFlat); w.Put(x.CadastralNumber); w.Put(x.PublicStock);
        });

    public readonly CopyTable<Person> People = new("people", "id, last_name, first_name, middle_name, birth_date, snils, phone, email, sex",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.LastName); w.Put(x.FirstName); w.Put(x.MiddleName); w.Put(x.BirthDate); w.Put(x.Snils);
            w.Put(x.Phone); w.Put(x.Email); w.Put((int?)x.Sex);
        });

    /// <summary>Accounts with the search keys that the database's trigger would write (the load runs without triggers).</summary>
    public readonly CopyTable<DemoAccount> Accounts = new("personal_accounts",
        "id, number, premise_id, share, payer_person_id, opened_on, closed_on, search_building_id, search_flat, search_payer",
        (w, d) =>
        {
            var x = d.Account;
            w.Put(x.Id); w.Put(x.Number); w.Put(x.PremiseId); w.Put(x.Share); w.Put(x.PayerPersonId); w.Put(x.OpenedOn); w.Put(x.ClosedOn);
            w.Put(d.BuildingId); w.Put(d.Flat); w.Put(d.Payer);
        },
        d => d.Account);

    public readonly CopyTable<Ownership> Ownerships = new("ownerships", "id, account_id, person_id, share, valid_from, valid_to, document",
        (w, x) => { w.Put(x.Id); w.Put(x.AccountId); w.Put(x.PersonId); w.Put(x.Share); w.Put(x.ValidFrom); w.Put(x.ValidTo); w.Put(x.Document); });

    public readonly CopyTable<Registration> Registrations = new("registrations", "id, account_id, person_id, kind, valid_from, valid_to, relation, end_reason",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.AccountId); w.Put(x.PersonId); w.Put((int)x.Kind); w.Put(x.ValidFrom); w.Put(x.ValidTo); w.Put(x.Relation);
            w.Put((int?)x.EndReason);
        });

    public readonly CopyTable<ResidentCount> ResidentCounts = new("resident_counts", "id, account_id, count, valid_from, valid_to, basis",
        (w, x) => { w.Put(x.Id); w.Put(x.AccountId); w.Put(x.Count); w.Put(x.ValidFrom); w.Put(x.ValidTo); w.Put(x.Basis); });

    public readonly CopyTable<TemporaryAbsence> TemporaryAbsences = new("temporary_absences",
        "id, account_id, person_id, valid_from, valid_to, document",
        (w, x) => { w.Put(x.Id); w.Put(x.AccountId); w.Put(x.PersonId); w.Put(x.ValidFrom); w.Put(x.ValidTo); w.Put(x.Document); });

    public readonly CopyTable<BuildingServiceMethod> BuildingServiceMethods = new("building_service_methods",
        "id, building_id, service_id, method, valid_from, valid_to",
        (w, x) => { w.Put(x.Id); w.Put(x.BuildingId); w.Put(x.ServiceId); w.Put((int)x.Method); w.Put(x.ValidFrom); w.Put(x.ValidTo); });

    public readonly CopyTable<ServiceContract> ServiceContracts = new("service_contracts",
        "id, building_id, service_id, supplier_id, contract_number, valid_from, valid_to",
        (w, x) => { w.Put(x.Id); w.Put(x.BuildingId); w.Put(x.ServiceId); w.Put(x.SupplierId); w.Put(x.ContractNumber); w.Put(x.ValidFrom); w.Put(x.ValidTo); });

    public readonly CopyTable<Tariff> Tariffs = new("tariffs",
        "id, supplier_id, service_id, municipality_id, building_id, zone, part, rate, valid_from, valid_to",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.SupplierId); w.Put(x.ServiceId); w.Put(x.MunicipalityId); w.Put(x.BuildingId); w.Put((int)x.Zone);
            w.Put((int)x.Part); w.Put(x.Rate); w.Put(x.ValidFrom); w.Put(x.ValidTo);
        });

    public readonly CopyTable<Meter> Meters = new("meters",
        "id, kind, resource, building_id, premise_id, account_id, serial_number, model, zones, digits, installed_on, sealed_on, " +
        "verified_on, next_verification_on, removed_on",
        (w, x) =>
        {
            w.Put(x.Id); w.Put((int)x.Kind); w.Put((int)x.Resource); w.Put(x.BuildingId); w.Put(x.PremiseId); w.Put(x.AccountId);
            w.Put(x.SerialNumber); w.Put(x.Model); w.Put(x.Zones); w.Put(x.Digits); w.Put(x.InstalledOn); w.Put(x.SealedOn);
            w.Put(x.VerifiedOn); w.Put(x.NextVerificationOn); w.Put(x.RemovedOn);
        });

    public readonly CopyTable<MeterReading> MeterReadings = new("meter_readings",
        "id, meter_id, zone, read_on, value, source, entered_by, entered_at",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.MeterId); w.Put(x.Zone); w.Put(x.ReadOn); w.Put(x.Value); w.Put((int)x.Source); w.Put(x.EnteredBy);
            w.Put(x.EnteredAt);
        });

    public readonly CopyTable<BenefitDelivery> BenefitDeliveries = new("benefit_deliveries", "id, municipality_id, category_code, mode, valid_from, valid_to",
        (w, x) => { w.Put(x.Id); w.Put(x.MunicipalityId); w.Put(x.CategoryCode); w.Put((int)x.Mode); w.Put(x.ValidFrom); w.Put(x.ValidTo); });

    public readonly CopyTable<BenefitRight> BenefitRights = new("benefit_rights",
        "id, uszn_right_id, person_id, account_id, category_code, rate, covered_persons, family_size, area_standard, share_numerator, " +
        "share_denominator, valid_from, valid_to, decision_number, decision_date",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.UsznRightId); w.Put(x.PersonId); w.Put(x.AccountId); w.Put(x.CategoryCode); w.Put(x.Rate); w.Put(x.CoveredPersons);
            w.Put(x.FamilySize); w.Put(x.AreaStandard); w.Put(x.ShareNumerator); w.Put(x.ShareDenominator); w.Put(x.ValidFrom); w.Put(x.ValidTo);
            w.Put(x.DecisionNumber); w.Put(x.DecisionDate);
        });

    public readonly CopyTable<SubsidyDecision> SubsidyDecisions = new("subsidy_decisions",
        "id, account_id, uszn_decision_id, amount, valid_from, valid_to, decision_number, decision_date",
        (w, x) =>
        {
            w.Put(x.Id); w.Put(x.AccountId); w.Put(x.UsznDecisionId); w.Put(x.Amount); w.Put(x.ValidFrom); w.Put(x.ValidTo); w.Put(x.DecisionNumber);
            w.Put(x.DecisionDate);
        });

    /// <summary>Every table, parents before children (the sequential mode writes them in this order).</summary>
    public readonly IReadOnlyList<CopyTable> All;

    public DemoTables() => All =
    [
        Municipalities, Organisations, PaymentAgentAccesses, AccessGroups, Services, KeyRates, LimitIndices, ConsumptionNorms,
        Buildings, BuildingManagements, Premises, People, Accounts, Ownerships, Registrations, ResidentCounts, TemporaryAbsences,
        BuildingServiceMethods, ServiceContracts, Tariffs, Meters, MeterReadings, BenefitDeliveries, BenefitRights, SubsidyDecisions,
    ];

    public long TotalRows => All.Sum(t => t.Rows);

    /// <summary>
    /// Reads where the ids of each table continue (reference tables need not be empty) and, for each table that is
    /// empty and ours to change, the secondary indexes to build after the load instead of row by row.
    /// </summary>
    public async Task ReadCatalogAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var sql = string.Join(" UNION ALL ", All.Select((t, i) => $"SELECT {i}, coalesce(max(id), 0) FROM {t.Name}"));
        await using (var cmd = new NpgsqlCommand(sql, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) All[reader.GetInt32(0)].StartIdsAfter(reader.GetInt64(1));

        var empty = All.Where(t => t.IdBase == 0).ToDictionary(t => t.Name);
        await using var indexes = new NpgsqlCommand("""
            SELECT t.relname, quote_ident(n.nspname) || '.' || quote_ident(i.relname), pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = ANY(@tables) AND pg_has_role(t.relowner, 'USAGE')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """, conn);
        indexes.Parameters.AddWithValue("tables", empty.Keys.ToArray());
        await using var rows = await indexes.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct)) empty[rows.GetString(0)].DeferredIndexes.Add((rows.GetString(1), rows.GetString(2)));
    }
}

/// <summary>An account with its search keys: its premise's building and number and its payer's name, as the search reads them.</summary>
internal sealed record DemoAccount(PersonalAccount Account, long BuildingId, string Flat, string? Payer) : IRegistryObject
{
    public long Id { get => Account.Id; set => Account.Id = value; }
}
