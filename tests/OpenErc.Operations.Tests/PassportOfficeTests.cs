using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Organisations;
using OpenErc.Core.Residents;
using OpenErc.Operations.Registry;
using OpenErc.Testing;
using Shouldly;
using UglyToad.PdfPig;
using Xunit;

namespace OpenErc.Operations.Tests;

/// <summary>
/// The passport desk in the database: registrations feed the number of residents (passport-and-dispatch.md §5, its worked
/// example's dates), one place of residence, and the documents — numbered, journaled, reprinted identically.
/// </summary>
public sealed class PassportOfficeTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly PassportSettings Settings = new();

    private sealed record Flat(long AccountId, long PremiseId, long[] People);

    /// <summary>A flat of 3 people registered on 01.01.2026, its owner the first of them.</summary>
    private async Task<Flat> FlatAsync(long serial, string number)
    {
        await using var db = database.CreateContext();
        db.Actor = "тест";
        db.Reason = "тестовые данные";
        if (!await db.Organisations.AnyAsync(o => o.Kind == OrganisationKind.BillingCentre, Ct))
            db.Add(new Organisation { Kind = OrganisationKind.BillingCentre, Name = "АО «Единый расчётный центр»", Inn = "7701234567", LegalAddress = "г. Новоград, ул. Мира, 1" });
        var town = new Municipality { Name = "Новоград" };
        db.Add(town);
        await db.SaveChangesAsync(Ct);
        var building = new Building { MunicipalityId = town.Id, Region = "Новоградская область", Settlement = "г. Новоград", Street = "ул. Мира", House = number };
        db.Add(building);
        await db.SaveChangesAsync(Ct);
        var premise = new Premise { BuildingId = building.Id, Number = "12", TotalArea = 54.3m, LivingArea = 38.1m, Rooms = 2 };
        var people = new[]
        {
            new Person { LastName = "Петрова", FirstName = "Анна", MiddleName = "Сергеевна", BirthDate = D("1970-03-02") },
            new Person { LastName = "Петров", FirstName = "Олег", MiddleName = "Ильич", BirthDate = D("1968-07-15") },
            new Person { LastName = "Петров", FirstName = "Илья", MiddleName = "Олегович", BirthDate = D("2001-11-30") },
        };
        db.Add(premise);
        db.AddRange(people);
        await db.SaveChangesAsync(Ct);
        var account = new PersonalAccount { Number = AccountNumber.Create(serial), PremiseId = premise.Id, OpenedOn = D("2020-01-01"), PayerPersonId = people[0].Id };
        db.Add(account);
        await db.SaveChangesAsync(Ct);
        db.Add(new Ownership { AccountId = account.Id, PersonId = people[0].Id, Share = 1m, ValidFrom = D("2020-01-01"), Document = "выписка ЕГРН 50:01:0000000:12-50/001/2020-1" });
        await db.SaveChangesAsync(Ct);
        foreach (var (p, relation) in people.Zip(new[] { "собственник", "супруг", "сын" }))
            await PassportOffice.RegisterAsync(db, new(account.Id, p.Id, RegistrationKind.Permanent, D("2026-01-01"), Relation: relation), "тест", Ct);
        return new Flat(account.Id, premise.Id, [.. people.Select(p => p.Id)]);
    }

    private async Task<List<(int Count, DateOnly From, DateOnly? To)>> CountsAsync(long account)
    {
        await using var db = database.CreateContext();
        return (await db.ResidentCounts.AsNoTracking().Where(r => r.AccountId == account).OrderBy(r => r.ValidFrom).ToListAsync(Ct))
            .Select(r => (r.Count, r.ValidFrom, r.ValidTo)).ToList();
    }

    [Fact]
    public async Task Registrations_feed_the_number_of_residents_and_a_back_dated_deregistration_splits_the_month()
    {
        var flat = await FlatAsync(201, "10");
        (await CountsAsync(flat.AccountId)).ShouldBe([(3, D("2026-01-01"), null)]);

        // The worked example's dates: on 10.04 the desk records a departure decided on 20.03 — counted 1–19 March.
        await using (var db = database.CreateContext())
        {
            var registration = await db.Registrations.SingleAsync(r => r.PersonId == flat.People[2], Ct);
            var ended = await PassportOffice.DeregisterAsync(db, registration.Id, D("2026-03-20"), DeregistrationReason.MovedOut, "г. Казань, ул. Баумана, 5",
                "заявление № 17", "паспортист", Settings, Ct);
            ended.ValidTo.ShouldBe(D("2026-03-20"));
            ended.EndReason.ShouldBe(DeregistrationReason.MovedOut);
        }
        (await CountsAsync(flat.AccountId)).ShouldBe([(3, D("2026-01-01"), (DateOnly?)D("2026-03-20")), (2, D("2026-03-20"), null)]);

        // A stay from 01.05 to 31.07 counts for its term only.
        await using (var db = database.CreateContext())
        {
            var guest = new Person { LastName = "Сидоров", FirstName = "Пётр", BirthDate = D("1990-01-01") };
            db.Add(guest);
            await db.SaveChangesAsync(Ct);
            await PassportOffice.RegisterAsync(db, new(flat.AccountId, guest.Id, RegistrationKind.Temporary, D("2026-05-01"), D("2026-08-01"), "прочие"), "паспортист", Ct);
        }
        (await CountsAsync(flat.AccountId)).ShouldBe([
            (3, D("2026-01-01"), (DateOnly?)D("2026-03-20")), (2, D("2026-03-20"), D("2026-05-01")), (3, D("2026-05-01"), D("2026-08-01")), (2, D("2026-08-01"), null)]);

        // The history says who and why.
        await using (var db = database.CreateContext())
            (await db.AuditEntries.Where(e => e.EntityType == nameof(ResidentCount)).Select(e => e.Reason).ToListAsync(Ct))
                .ShouldContain("Снятие с регистрационного учёта: Петров Илья Олегович, выбыл (заявление № 17)");
    }

    [Fact]
    public async Task A_death_ends_the_registration_the_next_day_and_a_second_deregistration_is_refused()
    {
        var flat = await FlatAsync(202, "11");
        await using var db = database.CreateContext();
        var registration = await db.Registrations.SingleAsync(r => r.PersonId == flat.People[1], Ct);
        await PassportOffice.DeregisterAsync(db, registration.Id, D("2026-06-09"), DeregistrationReason.Died, null, "свидетельство о смерти V-ИК № 123456", "паспортист", Settings, Ct);
        registration.ValidTo.ShouldBe(D("2026-06-10"));
        (await db.People.SingleAsync(p => p.Id == flat.People[1], Ct)).DeathDate.ShouldBe(D("2026-06-09"));
        (await CountsAsync(flat.AccountId)).ShouldBe([(3, D("2026-01-01"), (DateOnly?)D("2026-06-10")), (2, D("2026-06-10"), null)]);

        await using var again = database.CreateContext();
        var e = await Should.ThrowAsync<RegistryValidationException>(() =>
            PassportOffice.DeregisterAsync(again, registration.Id, D("2026-07-01"), DeregistrationReason.MovedOut, null, null, "паспортист", Settings, Ct));
        e.Errors["registrationId"].ShouldBe(["Петров Олег Ильич уже снят(а) с учёта 09.06.2026"]);
        // And nobody registers a dead person later.
        var late = await Should.ThrowAsync<RegistryValidationException>(() => PassportOffice.RegisterAsync(again,
            new(flat.AccountId, flat.People[1], RegistrationKind.Permanent, D("2026-08-01")), "паспортист", Ct));
        late.Errors["ValidFrom"].ShouldBe(["Петров Олег Ильич умер(ла) 09.06.2026"]);
    }

    [Fact]
    public async Task A_permanent_registration_elsewhere_ends_the_old_one_and_both_flats_follow()
    {
        var first = await FlatAsync(203, "12");
        var second = await FlatAsync(204, "13");
        await using (var db = database.CreateContext())
            await PassportOffice.RegisterAsync(db, new(second.AccountId, first.People[2], RegistrationKind.Permanent, D("2026-09-15"), Relation: "прочие",
                ArrivedFrom: "г. Новоград, ул. Мира, д. 12, кв. 12", Basis: "заявление по форме 6 № 88"), "паспортист", Ct);
        await using (var db = database.CreateContext())
        {
            var old = await db.Registrations.SingleAsync(r => r.PersonId == first.People[2] && r.AccountId == first.AccountId, Ct);
            old.ValidTo.ShouldBe(D("2026-09-15"));
            old.EndReason.ShouldBe(DeregistrationReason.MovedOut);
            old.DepartedTo.ShouldBe("г. Новоград, ул. Мира, д. 13, кв. 12");
        }
        (await CountsAsync(first.AccountId)).ShouldBe([(3, D("2026-01-01"), (DateOnly?)D("2026-09-15")), (2, D("2026-09-15"), null)]);
        (await CountsAsync(second.AccountId)).ShouldBe([(3, D("2026-01-01"), (DateOnly?)D("2026-09-15")), (4, D("2026-09-15"), null)]);

        // Twice on the same account is refused, and nothing changes.
        await using var again = database.CreateContext();
        var e = await Should.ThrowAsync<RegistryValidationException>(() => PassportOffice.RegisterAsync(again,
            new(second.AccountId, first.People[2], RegistrationKind.Permanent, D("2026-10-01")), "паспортист", Ct));
        e.Errors["ValidFrom"].ShouldBe(["Петров Илья Олегович уже зарегистрирован(а) на этом лицевом счёте с 15.09.2026"]);
        (await CountsAsync(second.AccountId)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_stay_needs_its_term_and_an_identity_document_its_form()
    {
        var flat = await FlatAsync(205, "14");
        await using var db = database.CreateContext();
        var e = await Should.ThrowAsync<RegistryValidationException>(() => PassportOffice.RegisterAsync(db,
            new(flat.AccountId, flat.People[0], RegistrationKind.Temporary, D("2026-10-01")), "паспортист", Ct));
        e.Errors["ValidTo"].ShouldBe(["Регистрация по месту пребывания имеет срок: укажите дату окончания"]);

        var passport = new IdentityDocument { PersonId = flat.People[0], Series = "4509", Number = "12345", IssuedBy = "ОВД", IssuedOn = D("2015-03-02"), DivisionCode = "770001" };
        var errors = RegistryValidation.Validate(passport);
        errors["Number"].ShouldBe(["Номер паспорта РФ — шесть цифр"]);
        errors["DivisionCode"].ShouldBe(["Код подразделения имеет вид 000-000"]);
        errors.ShouldNotContainKey("Series");
    }

    private static DocumentRequest Request(PassportDocumentKind kind, Flat flat, long? person = null) =>
        new(kind, flat.AccountId, person, "Петрова Анна Сергеевна", "паспорт 45 09 123456", RequestBasis.Owner, null, "нотариусу");

    [Fact]
    public async Task The_house_book_extract_lists_exactly_the_registered_people_and_the_owners_and_a_reprint_is_the_same_file()
    {
        var flat = await FlatAsync(206, "15");
        await using (var db = database.CreateContext())
        {
            var son = await db.Registrations.SingleAsync(r => r.PersonId == flat.People[2], Ct);
            await PassportOffice.DeregisterAsync(db, son.Id, D("2026-10-01"), DeregistrationReason.MovedOut, null, null, "паспортист", Settings, Ct);
        }
        await using var read = database.CreateContext();
        var issued = await PassportDocuments.IssueAsync(read, Request(PassportDocumentKind.HouseBookExtract, flat), "passport", "Сидорова Н. И.", Settings, database.Clock, Ct);
        issued.Kind.ShouldBe(PassportDocumentKind.HouseBookExtract);
        issued.Number.ShouldNotBeNull();
        var (entry, pdf) = (await PassportDocuments.PdfAsync(read, issued.Id, Ct))!.Value;
        entry.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(pdf)));

        var text = PdfText(pdf);
        text.ShouldContain("Выписка из домовой книги");
        text.ShouldContain($"№ {issued.Number}/2026 от 20.11.2026");
        text.ShouldContain("Петрова Анна Сергеевна — доля 1");
        text.ShouldContain("Петров Олег Ильич");
        text.ShouldNotContain("Петров Илья Олегович");
        text.ShouldContain("по месту жительства — 2, по месту пребывания — 0");
        text.ShouldContain("/Сидорова Н. И./");
        text.ShouldContain("Действительна до 20.12.2026");

        // The next document takes the next number; the journal cannot be changed.
        var card = await PassportDocuments.IssueAsync(read, Request(PassportDocumentKind.PremiseCard, flat), "passport", "Сидорова Н. И.", Settings, database.Clock, Ct);
        card.Number.ShouldBe(issued.Number + 1);
        var cardText = PdfText((await PassportDocuments.PdfAsync(read, card.Id, Ct))!.Value.Pdf);
        cardText.ShouldContain("Петров Илья Олегович");
        cardText.ShouldContain("30.09.2026, выбыл");
        (await PassportDocuments.PdfAsync(read, issued.Id, Ct))!.Value.Pdf.ShouldBe(pdf);
        var update = await Should.ThrowAsync<PostgresException>(() =>
            Sql.ExecAsync(database.ConnectionString, $"UPDATE issued_documents SET requester = 'другой' WHERE id = {issued.Id}"));
        update.MessageText.ShouldContain("Журнал выданных документов не изменяется");
    }

    [Fact]
    public async Task The_family_certificate_names_the_applicant_and_the_others_and_a_refusal_is_journaled_without_a_number()
    {
        var flat = await FlatAsync(207, "16");
        await using var db = database.CreateContext();
        var family = await PassportDocuments.IssueAsync(db, Request(PassportDocumentKind.FamilyComposition, flat, flat.People[1]) with { Basis = RequestBasis.OwnData },
            "passport", "Сидорова Н. И.", Settings, database.Clock, Ct);
        var text = PdfText((await PassportDocuments.PdfAsync(db, family.Id, Ct))!.Value.Pdf);
        text.ShouldContain("Дана Петров Олег Ильич, 15.07.1968 г. р.");
        text.ShouldContain("Петрова Анна Сергеевна");
        text.ShouldContain("Всего зарегистрировано в помещении: 3.");

        var residence = await PassportDocuments.IssueAsync(db, Request(PassportDocumentKind.ResidenceCertificate, flat, flat.People[2]) with { Basis = RequestBasis.OwnData },
            "passport", "Сидорова Н. И.", Settings, database.Clock, Ct);
        var only = PdfText((await PassportDocuments.PdfAsync(db, residence.Id, Ct))!.Value.Pdf);
        only.ShouldContain("Справка с места жительства");
        only.ShouldContain("Дана Петров Илья Олегович, 30.11.2001 г. р.");
        only.ShouldNotContain("Петрова Анна Сергеевна");

        var noPerson = await Should.ThrowAsync<RegistryValidationException>(() => PassportDocuments.IssueAsync(db,
            Request(PassportDocumentKind.FamilyComposition, flat) with { RequesterDocument = null }, "passport", "Н. И.", Settings, database.Clock, Ct));
        noPerson.Errors.Keys.Order().ShouldBe(["personId", "requesterDocument"]);

        var refused = await PassportDocuments.RefuseAsync(db, Request(PassportDocumentKind.HouseBookExtract, flat) with { Requester = "Соседов С. С.", Basis = RequestBasis.OwnData },
            "заявитель не собственник и не зарегистрирован в помещении", "passport", database.Clock, Ct);
        refused.Number.ShouldBeNull();
        refused.Refusal.ShouldBe("заявитель не собственник и не зарегистрирован в помещении");
        (await PassportDocuments.PdfAsync(db, refused.Id, Ct)).ShouldBeNull();
        (await PassportDocuments.JournalAsync(db, new(AccountId: flat.AccountId), Ct)).Count.ShouldBe(3);
    }

    [Fact]
    public async Task No_debt_is_said_only_when_no_principal_is_owed_and_no_penalty_is_unpaid()
    {
        PassportDocuments.NoDebt([(0m, 0m), (-10m, 0m)]).ShouldBeTrue();
        PassportDocuments.NoDebt([(0m, 0.01m)]).ShouldBeFalse();
        PassportDocuments.NoDebt([(-100m, 0m), (0.01m, 0m)]).ShouldBeFalse();

        var flat = await FlatAsync(208, "17");
        await using var db = database.CreateContext();
        var issued = await PassportDocuments.IssueAsync(db, Request(PassportDocumentKind.DebtStatus, flat), "passport", "Сидорова Н. И.", Settings, database.Clock, Ct);
        var text = PdfText((await PassportDocuments.PdfAsync(db, issued.Id, Ct))!.Value.Pdf);
        text.ShouldContain("Задолженность по оплате жилищно-коммунальных услуг на 20.11.2026 отсутствует.");
        text.ShouldContain("Сведения действительны на 20.11.2026.");
    }

    private static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        // Words joined by single spaces, lines by spaces too: what a reader sees, whatever the wrapping.
        return string.Join(" ", document.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
    }
}
