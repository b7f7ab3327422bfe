using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using OpenErc.Core.Accounts;
using OpenErc.Core.Common;
using OpenErc.Core.Housing;
using OpenErc.Core.Meters;
using OpenErc.Core.Organisations;
using OpenErc.Core.Quality;
using OpenErc.Core.Residents;
using OpenErc.Core.Tariffs;

namespace OpenErc.Storage;

/// <summary>
/// The back-office model. Every save of registry objects writes their audit history in the same
/// transaction: who (<see cref="Actor"/>), why (<see cref="Reason"/>), and each field from → to; a change that
/// alters charges already posted queues its buildings for recalculation in the same transaction
/// (<see cref="RetroactiveChanges"/>).
/// </summary>
public sealed class OpenErcDbContext(DbContextOptions<OpenErcDbContext> options, RegionClock clock) : DbContext(options)
{
    /// <summary>Who is changing the data: a user name, "demo", a run or an import.</summary>
    /// <summary>The region's clock: when a change is archived.</summary>
    public RegionClock Clock { get; } = clock;

    public string Actor { get; set; } = "система";

    /// <summary>Why the data changes; stored with every audit entry of the next save.</summary>
    public string? Reason { get; set; }

    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<PaymentAgentAccess> PaymentAgentAccesses => Set<PaymentAgentAccess>();
    public DbSet<Municipality> Municipalities => Set<Municipality>();
    public DbSet<AccessGroup> AccessGroups => Set<AccessGroup>();
    public DbSet<Building> Buildings => Set<Building>();
    public DbSet<BuildingManagement> BuildingManagements => Set<BuildingManagement>();
    public DbSet<Premise> Premises => Set<Premise>();
    public DbSet<PersonalAccount> Accounts => Set<PersonalAccount>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<Ownership> Ownerships => Set<Ownership>();
    public DbSet<Registration> Registrations => Set<Registration>();
    public DbSet<IdentityDocument> IdentityDocuments => Set<IdentityDocument>();
    public DbSet<GroupMeterPremise> GroupMeterPremises => Set<GroupMeterPremise>();
    public DbSet<ResidentCount> ResidentCounts => Set<ResidentCount>();
    public DbSet<TemporaryAbsence> TemporaryAbsences => Set<TemporaryAbsence>();
    public DbSet<DebtClaim> DebtClaims => Set<DebtClaim>();
    public DbSet<LimitationNotice> LimitationNotices => Set<LimitationNotice>();
    public DbSet<LimitIndex> LimitIndices => Set<LimitIndex>();
    public DbSet<AccountAlias> AccountAliases => Set<AccountAlias>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<BuildingServiceMethod> BuildingServiceMethods => Set<BuildingServiceMethod>();
    public DbSet<ServiceContract> ServiceContracts => Set<ServiceContract>();
    public DbSet<Tariff> Tariffs => Set<Tariff>();
    public DbSet<ConsumptionNorm> ConsumptionNorms => Set<ConsumptionNorm>();
    public DbSet<KeyRate> KeyRates => Set<KeyRate>();
    public DbSet<Meter> Meters => Set<Meter>();
    public DbSet<MeterReading> MeterReadings => Set<MeterReading>();
    public DbSet<MeterImpossibilityAct> MeterImpossibilityActs => Set<MeterImpossibilityAct>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<HeatingAverageVolume> HeatingAverageVolumes => Set<HeatingAverageVolume>();
    public DbSet<ElementInspection> ElementInspections => Set<ElementInspection>();
    public DbSet<CapitalRepairWork> CapitalRepairWorks => Set<CapitalRepairWork>();
    public DbSet<Core.Benefits.BenefitCategory> BenefitCategories => Set<Core.Benefits.BenefitCategory>();
    public DbSet<Core.Benefits.BenefitDelivery> BenefitDeliveries => Set<Core.Benefits.BenefitDelivery>();
    public DbSet<Core.Benefits.BenefitRight> BenefitRights => Set<Core.Benefits.BenefitRight>();
    public DbSet<Core.Benefits.SubsidyDecision> SubsidyDecisions => Set<Core.Benefits.SubsidyDecision>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // Rates and norms carry up to 6 decimals (ГИС ЖКХ); areas, shares and volumes fit the same type.
        builder.Properties<decimal>().HavePrecision(18, 6);
        builder.Properties<decimal?>().HavePrecision(18, 6);
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.HasPostgresExtension("pg_trgm");

        b.Entity<Organisation>(e =>
        {
            e.Property(x => x.Inn).HasMaxLength(12);
            e.Property(x => x.Kpp).HasMaxLength(9);
            e.Property(x => x.Ogrn).HasMaxLength(15);
            e.Property(x => x.Bik).HasMaxLength(9);
            e.Property(x => x.SettlementAccount).HasMaxLength(20);
            e.Property(x => x.CorrespondentAccount).HasMaxLength(20);
            e.HasIndex(x => x.Inn);
        });
        b.Entity<PaymentAgentAccess>(e =>
        {
            e.HasIndex(x => x.Login).IsUnique();
            e.HasOne<Organisation>().WithMany().HasForeignKey(x => x.OrganisationId);
        });
        b.Entity<AccessGroup>(e =>
        {
            e.HasOne<Municipality>().WithMany().HasForeignKey(x => x.MunicipalityId);
            e.HasOne<Organisation>().WithMany().HasForeignKey(x => x.OrganisationId);
        });
        b.Entity<Building>(e =>
        {
            e.HasOne<Municipality>().WithMany().HasForeignKey(x => x.MunicipalityId);
            e.Property(x => x.Address).HasComputedColumnSql(
                "settlement || coalesce(', ' || street, '') || ', д. ' || house || coalesce(' корп. ' || block, '')", stored: true);
            e.HasIndex(x => x.Address).HasMethod("gin").HasOperators("gin_trgm_ops");
        });
        b.Entity<BuildingManagement>(e =>
        {
            e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId);
            e.HasOne<Organisation>().WithMany().HasForeignKey(x => x.OrganisationId);
        });
        b.Entity<Premise>(e =>
        {
            e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId);
            e.HasIndex(x => new { x.BuildingId, x.Number }).IsUnique();
        });
        b.Entity<PersonalAccount>(e =>
        {
            e.ToTable("personal_accounts");
            e.Property(x => x.Number).HasMaxLength(10);
            e.HasIndex(x => x.Number).IsUnique();
            e.HasOne<Premise>().WithMany().HasForeignKey(x => x.PremiseId);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PayerPersonId);
        });
        b.Entity<Person>(e =>
        {
            e.ToTable("people");
            e.Property(x => x.FullName).HasComputedColumnSql(
                "last_name || ' ' || first_name || coalesce(' ' || middle_name, '')", stored: true);
            e.HasIndex(x => x.FullName).HasMethod("gin").HasOperators("gin_trgm_ops");
        });
        b.Entity<Ownership>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId);
        });
        b.Entity<Registration>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId);
        });
        b.Entity<IdentityDocument>(e => e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId));
        b.Entity<GroupMeterPremise>(e =>
        {
            e.HasOne<Meter>().WithMany().HasForeignKey(x => x.MeterId);
            e.HasOne<Premise>().WithMany().HasForeignKey(x => x.PremiseId);
            e.HasIndex(x => new { x.MeterId, x.PremiseId }).IsUnique();
        });
        b.Entity<ResidentCount>(e => e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId));
        b.Entity<TemporaryAbsence>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId);
        });
        b.Entity<LimitIndex>(e =>
        {
            e.HasOne<Municipality>().WithMany().HasForeignKey(x => x.MunicipalityId);
            e.Property(x => x.Percent).HasPrecision(7, 3);
            e.Property(x => x.DeviationPercent).HasPrecision(7, 3);
        });
        b.Entity<LimitationNotice>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId);
            e.Property(x => x.Document).HasMaxLength(300);
            e.Ignore(x => x.LimitableFrom);
        });
        b.Entity<DebtClaim>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.HasOne<Organisation>().WithMany().HasForeignKey(x => x.SupplierId);
            e.Property(x => x.CaseNumber).HasMaxLength(100);
            e.Property(x => x.Court).HasMaxLength(300);
            e.Property(x => x.Amount).HasPrecision(15, 2);
        });
        b.Entity<AccountAlias>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.Property(x => x.Number).HasMaxLength(AccountAlias.MaxLength);
            e.HasIndex(x => x.Number).IsUnique();
            e.HasIndex(x => x.AccountId);
        });
        b.Entity<Service>(e => e.HasIndex(x => x.Code).IsUnique());
        b.Entity<BuildingServiceMethod>(e =>
        {
            e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId);
            e.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId);
        });
        b.Entity<ServiceContract>(e =>
        {
            e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId);
            e.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId);
            e.HasOne<Organisation>().WithMany().HasForeignKey(x => x.SupplierId);
        });
        b.Entity<Tariff>(e =>
        {
            e.HasOne<Organisation>().WithMany().HasForeignKey(x => x.SupplierId);
            e.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId);
            e.HasOne<Municipality>().WithMany().HasForeignKey(x => x.MunicipalityId);
            e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId);
        });
        b.Entity<ConsumptionNorm>(e =>
        {
            e.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId);
            e.HasOne<Municipality>().WithMany().HasForeignKey(x => x.MunicipalityId);
        });
        b.Entity<KeyRate>(e => e.Property(x => x.RatePercent).HasPrecision(7, 4));
        b.Entity<Meter>(e =>
        {
            e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId);
            e.HasOne<Premise>().WithMany().HasForeignKey(x => x.PremiseId);
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
        });
        b.Entity<MeterReading>(e =>
        {
            e.Property(x => x.Value).HasPrecision(18, 4);
            e.HasOne<Meter>().WithMany().HasForeignKey(x => x.MeterId);
            e.HasIndex(x => new { x.MeterId, x.ReadOn });
        });
        b.Entity<MeterImpossibilityAct>(e =>
        {
            e.HasOne<Premise>().WithMany().HasForeignKey(x => x.PremiseId);
            e.HasIndex(x => new { x.PremiseId, x.Resource });
        });
        b.Entity<Incident>(e =>
        {
            // Local time of the dispatch log, as the reductions count hours of the day (ПП 354 прил. 1).
            e.Property(x => x.StartedAt).HasColumnType("timestamp without time zone");
            e.Property(x => x.EndedAt).HasColumnType("timestamp without time zone");
            e.Ignore(x => x.Status);
            e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId);
            e.HasOne<Premise>().WithMany().HasForeignKey(x => x.PremiseId);
            e.HasOne<Service>().WithMany().HasForeignKey(x => x.ServiceId);
            e.HasIndex(x => new { x.BuildingId, x.StartedAt });
        });
        b.Entity<HeatingAverageVolume>(e => e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId));
        b.Entity<ElementInspection>(e => e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId));
        b.Entity<CapitalRepairWork>(e => e.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId));
        b.Entity<Core.Benefits.BenefitCategory>(e => e.HasIndex(x => new { x.Code, x.ValidFrom }).IsUnique());
        b.Entity<Core.Benefits.BenefitDelivery>(e => e.HasOne<Municipality>().WithMany().HasForeignKey(x => x.MunicipalityId));
        b.Entity<Core.Benefits.BenefitRight>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId);
            e.HasIndex(x => x.UsznRightId).IsUnique();
        });
        b.Entity<Core.Benefits.SubsidyDecision>(e =>
        {
            e.HasOne<PersonalAccount>().WithMany().HasForeignKey(x => x.AccountId);
            e.HasIndex(x => x.UsznDecisionId).IsUnique();
        });
        b.Entity<AuditEntry>(e =>
        {
            e.Property(x => x.Changes).HasColumnType("jsonb").HasConversion(
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                v => JsonSerializer.Deserialize<List<FieldChange>>(v, JsonSerializerOptions.Default) ?? new List<FieldChange>(),
                new ValueComparer<List<FieldChange>>((a, b) => a!.SequenceEqual(b!), v => v.Count, v => v.ToList()));
            e.HasIndex(x => new { x.EntityType, x.EntityId });
        });

        // Foreign keys restrict: registry rows are closed by dates, never cascaded away.
        foreach (var fk in b.Model.GetEntityTypes().SelectMany(t => t.GetForeignKeys()))
            fk.DeleteBehavior = DeleteBehavior.Restrict;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var tracked = ChangeTracker.Entries()
            .Where(e => e.Entity is IRegistryObject && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => (Entry: e, e.State, Changes: e.State == EntityState.Added ? null : Describe(e)))
            .ToList();
        if (tracked.Count == 0) return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        // Read before saving, while the original values are there; queued in the same transaction (RetroactiveChanges).
        var retroactive = RetroactiveChanges.Collect(tracked.Select(t => t.Entry), Reason);

        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken) : null;
        try
        {
            int count = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            var at = Clock.Now;
            foreach (var (entry, state, changes) in tracked)
            {
                var changed = changes ?? Describe(entry, added: true);
                if (state == EntityState.Modified && changed.Count == 0) continue;
                AuditEntries.Add(new AuditEntry
                {
                    EntityType = entry.Metadata.ClrType.Name,
                    EntityId = ((IRegistryObject)entry.Entity).Id,
                    Action = state switch { EntityState.Added => AuditAction.Created, EntityState.Deleted => AuditAction.Deleted, _ => AuditAction.Updated },
                    Changes = changed,
                    Actor = Actor,
                    Reason = Reason,
                    At = at,
                });
            }
            await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            await RetroactiveChanges.QueueAsync(this, retroactive, Actor, cancellationToken);
            if (own is not null) await own.CommitAsync(cancellationToken);
            return count;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    /// <summary>Values with this prefix are secrets (password hashes) and never reach the archive.</summary>
    public const string PasswordHashPrefix = "pbkdf2$";

    private static List<FieldChange> Describe(EntityEntry entry, bool added = false)
    {
        var list = new List<FieldChange>();
        foreach (var p in entry.Properties)
        {
            if (p.Metadata.IsPrimaryKey() || p.Metadata.ValueGenerated == Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.OnAddOrUpdate) continue;
            var name = p.Metadata.Name;
            switch (entry.State)
            {
                case EntityState.Deleted:
                    list.Add(new(name, Format(p.OriginalValue), null));
                    break;
                case EntityState.Modified when p.IsModified && !Equals(p.OriginalValue, p.CurrentValue):
                    list.Add(new(name, Format(p.OriginalValue), Format(p.CurrentValue)));
                    break;
                case EntityState.Unchanged or EntityState.Added when added && p.CurrentValue is not null:
                    list.Add(new(name, null, Format(p.CurrentValue)));
                    break;
            }
        }
        return list;
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        string s when s.StartsWith(PasswordHashPrefix, StringComparison.Ordinal) => "***",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), // local time of an incident
        decimal m => m.ToString("0.##########", CultureInfo.InvariantCulture), // the database's scale is not a change
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
