using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace OpenErc.Storage.Migrations
{
    /// <summary>
    /// Social support (benefits.md): the benefit categories as reference data (created with the defaults of §1 and §2.4),
    /// how benefits are delivered (in money by УСЗН or in kind on the ЕПД) by municipality and category, the persons'
    /// rights from УСЗН's registry, and the subsidy decisions.
    /// </summary>
    [DbContext(typeof(OpenErcDbContext))]
    [Migration("20261227000000_Benefits")]
    public partial class Benefits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "benefit_categories",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    title = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    legal_basis = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    rate = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    services = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    area_cap = table.Column<int>(type: "integer", nullable: false),
                    consumption_cap_at_norm = table.Column<bool>(type: "boolean", nullable: false),
                    covers_family = table.Column<bool>(type: "boolean", nullable: false),
                    housing_in_public_stock_only = table.Column<bool>(type: "boolean", nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_benefit_categories", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "benefit_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    municipality_id = table.Column<long>(type: "bigint", nullable: true),
                    category_code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    mode = table.Column<int>(type: "integer", nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_benefit_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_benefit_deliveries_municipalities_municipality_id",
                        column: x => x.municipality_id,
                        principalTable: "municipalities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "benefit_rights",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    uszn_right_id = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    person_id = table.Column<long>(type: "bigint", nullable: false),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    category_code = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    rate = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    covered_persons = table.Column<int>(type: "integer", nullable: false),
                    family_size = table.Column<int>(type: "integer", nullable: true),
                    area_standard = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: true),
                    share_numerator = table.Column<int>(type: "integer", nullable: true),
                    share_denominator = table.Column<int>(type: "integer", nullable: true),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    decision_number = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    decision_date = table.Column<DateOnly>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_benefit_rights", x => x.id);
                    table.ForeignKey(
                        name: "fk_benefit_rights_people_person_id",
                        column: x => x.person_id,
                        principalTable: "people",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_benefit_rights_personal_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "personal_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "subsidy_decisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<long>(type: "bigint", nullable: false),
                    uszn_decision_id = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    amount = table.Column<decimal>(type: "numeric(18,6)", precision: 18, scale: 6, nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    decision_number = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    decision_date = table.Column<DateOnly>(type: "date", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_subsidy_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_subsidy_decisions_personal_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "personal_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_benefit_categories_code_valid_from",
                table: "benefit_categories",
                columns: new[] { "code", "valid_from" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_benefit_deliveries_municipality_id",
                table: "benefit_deliveries",
                column: "municipality_id");

            migrationBuilder.CreateIndex(
                name: "ix_benefit_rights_account_id",
                table: "benefit_rights",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_benefit_rights_person_id",
                table: "benefit_rights",
                column: "person_id");

            migrationBuilder.CreateIndex(
                name: "ix_benefit_rights_uszn_right_id",
                table: "benefit_rights",
                column: "uszn_right_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_subsidy_decisions_account_id",
                table: "subsidy_decisions",
                column: "account_id");

            migrationBuilder.CreateIndex(
                name: "ix_subsidy_decisions_uszn_decision_id",
                table: "subsidy_decisions",
                column: "uszn_decision_id",
                unique: true);

            // The default categories (benefits.md §1, §2.4; BenefitCategories.Defaults as of this migration), in force from 2005
            // (the monetisation law 122-ФЗ); a region edits them as reference data.
            migrationBuilder.Sql("""
                INSERT INTO benefit_categories (code, title, legal_basis, rate, services, area_cap, consumption_cap_at_norm, covers_family, housing_in_public_stock_only, valid_from) VALUES
                ('VOV_INV', 'Инвалиды войны', 'ФЗ от 12.01.1995 №5-ФЗ, ст. 14', 0.5, 'HOUSING,CPR,COMMUNAL,TKO,KR', 0, true, true, false, '2005-01-01'),
                ('VOV_UCH', 'Участники Великой Отечественной войны', 'ФЗ от 12.01.1995 №5-ФЗ, ст. 15', 0.5, 'HOUSING,CPR,COMMUNAL,TKO,KR', 0, true, false, false, '2005-01-01'),
                ('VBD', 'Ветераны боевых действий', 'ФЗ от 12.01.1995 №5-ФЗ, ст. 16', 0.5, 'HOUSING,CPR,KR', 0, false, false, false, '2005-01-01'),
                ('FAM_FALLEN', 'Члены семей погибших (умерших) инвалидов войны, участников ВОВ и ветеранов боевых действий', 'ФЗ от 12.01.1995 №5-ФЗ, ст. 21', 0.5, 'HOUSING,CPR,COMMUNAL,TKO', 0, true, true, false, '2005-01-01'),
                ('VET_TRUDA', 'Ветераны труда, труженики тыла, реабилитированные', 'ФЗ от 12.01.1995 №5-ФЗ, ст. 20, 22; закон субъекта РФ', 0.5, 'HOUSING,CPR,COMMUNAL,TKO', 1, true, false, false, '2005-01-01'),
                ('INV', 'Инвалиды', 'ФЗ от 24.11.1995 №181-ФЗ, ст. 17', 0.5, 'HOUSING,CPR,COMMUNAL,TKO,KR', 0, true, false, true, '2005-01-01'),
                ('FAM_CHILD_INV', 'Семьи, имеющие детей-инвалидов', 'ФЗ от 24.11.1995 №181-ФЗ, ст. 17', 0.5, 'HOUSING,CPR,COMMUNAL,TKO,KR', 0, true, true, true, '2005-01-01'),
                ('CHAES', 'Граждане, подвергшиеся воздействию радиации вследствие катастрофы на Чернобыльской АЭС', 'Закон РФ от 15.05.1991 №1244-1, ст. 14, 15, 17', 0.5, 'HOUSING,CPR,COMMUNAL,TKO', 1, true, true, false, '2005-01-01'),
                ('MNOGODET', 'Многодетные семьи', 'Указ Президента РФ от 23.01.2024 №63; закон субъекта РФ', 0.3, 'COMMUNAL', 0, true, true, false, '2005-01-01'),
                ('KR70', 'Собственники 70 лет и старше (компенсация взноса на капремонт)', 'ЖК РФ, ст. 169 ч. 2.1; закон субъекта РФ', 0.5, 'KR', 1, false, false, false, '2016-01-01'),
                ('KR80', 'Собственники 80 лет и старше (компенсация взноса на капремонт)', 'ЖК РФ, ст. 169 ч. 2.1; закон субъекта РФ', 1, 'KR', 1, false, false, false, '2016-01-01');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "benefit_categories");

            migrationBuilder.DropTable(
                name: "benefit_deliveries");

            migrationBuilder.DropTable(
                name: "benefit_rights");

            migrationBuilder.DropTable(
                name: "subsidy_decisions");
        }
    }
}
