using System.Text;

namespace OpenErc.Testing;

/// <summary>
/// A Квадо export (exchange.md §5.1) of two houses: in the first a flat of two owners (142/584 and 442/584) with a
/// registered family, a communal flat of two rooms' accounts, and a closed account with an old number and its ЕЛС; in
/// the second a flat whose tenant departed. Numbers come as strings and as numbers, as the format allows.
/// </summary>
public static class KvadoSample
{
    public const string Houses = """
        [
          {
            "id": 101, "address": "г. Новоград, ул. Ленина, д. 5", "fias_houseguid": "0c5b2444-70a0-4932-980c-b4dc0d3f02b5", "oktmo": "65701000",
            "entrances": [ { "id": 1, "number": "1", "floors": 5 }, { "id": 2, "number": "2", "floors": 5 } ],
            "premises": [
              {
                "id": 1001, "flat_number": "1", "premises_type": "квартира", "overall_area": "58.40", "living_area": 40.1, "number_of_rooms": "3",
                "entrance": "1", "floor": 1,
                "accounts": [
                  {
                    "id": 5001, "account": "0500123", "date_from": "2015-03-01", "residents_count": 3, "saldo": "1520.35", "saldo_period": "2026-10-01",
                    "gis_id": "75ДА533315", "gis_zhkh_id": "75ДА533315-01",
                    "residents": [
                      { "id": 9001, "type": "физ. лицо", "main_payer": "Да", "share": "142/584", "flats_relation": "Собственник", "relationship": "собственник",
                        "individual": { "lastname": "Орлова", "firstname": "Мария", "patronymic": "Ивановна", "birthdate": "1970-05-12", "sex": "ж",
                                        "document_type": "Паспорт гражданина РФ", "document_serial": "6515", "document_number": "123456",
                                        "document_issued": "ГУ МВД России по Новоградской области", "document_code": "650-001", "document_issue_date": "2015-06-20" },
                        "residence": [ { "type": "const", "date_from": "2015-03-10" } ] },
                      { "id": 9002, "type": "физ. лицо", "main_payer": "Нет", "share": "442/584", "flats_relation": "Собственник", "relationship": "муж",
                        "individual": { "lastname": "Орлов", "firstname": "Пётр", "patronymic": "Сергеевич", "birthdate": "1968-01-30", "sex": "м" },
                        "residence": { "type": "const", "date_from": "2015-03-10", "date_to": "2024-06-01", "out_reason": "Выехал",
                                       "to": { "city": "Екатеринбург", "street": "ул. Мира", "house": "3" } } },
                      { "id": 9003, "type": "физ. лицо", "main_payer": "Нет", "flats_relation": "Житель", "relationship": "дочь",
                        "individual": { "lastname": "Орлова", "firstname": "Анна", "birthdate": "2001-09-01", "sex": "ж" },
                        "residence": [ { "type": "const", "date_from": "2015-03-10" } ] }
                    ]
                  }
                ]
              },
              {
                "id": 1002, "flat_number": "2", "premises_type": "коммунальная квартира", "overall_area": 72, "number_of_rooms": 2, "entrance": 1, "floor": 1,
                "rooms": [ { "id": 1, "number": "1", "area": 18 }, { "id": 2, "number": "2", "area": 24 } ],
                "accounts": [
                  { "id": 5002, "account": "0500124", "date_from": "2018-01-01", "calculated_area": 30.86, "residents_count": "1", "rooms_id": 1,
                    "residents": [ { "id": 9004, "type": "физ. лицо", "main_payer": "Да", "share": "1/1", "flats_relation": "Собственник",
                                     "individual": { "lastname": "Ким", "firstname": "Виктор" } } ] },
                  { "id": 5003, "account": "0500125", "date_from": "2018-01-01", "calculated_area": "41.14", "residents_count": 2, "rooms_id": 2,
                    "residents": [ { "id": 9005, "type": "физ. лицо", "main_payer": "Да", "share": "1", "flats_relation": "Собственник",
                                     "individual": { "lastname": "Зайцева", "firstname": "Ольга" } } ] },
                  { "id": 5004, "account": "0500099", "old_account": "77-0099", "date_from": "2010-01-01", "date_to": "2017-12-31",
                    "residents": [] }
                ]
              }
            ]
          },
          {
            "id": "102", "address": "г. Новоград, пр-т Мира, д. 12, корп. 2", "oktmo": "65701000",
            "premises": [
              { "id": 1101, "flat_number": "7", "premises_type": "квартира", "overall_area": "45.1",
                "accounts": [ { "id": 5101, "account": "0600007", "date_from": "2020-02-01", "residents_count": 1, "saldo": "-200.00",
                  "residents": [
                    { "id": 9101, "type": "физ. лицо", "main_payer": "Да", "flats_relation": "Собственник",
                      "individual": { "lastname": "Белов", "firstname": "Игорь" }, "residence": [ { "type": "const", "date_from": "2020-02-05" } ] },
                    { "id": 9102, "type": "физ. лицо", "main_payer": "Нет", "flats_relation": "Квартирант (арендатор)",
                      "individual": { "lastname": "Серов", "firstname": "Олег" },
                      "residence": [ { "type": "tmp", "date_from": "2025-01-10", "date_to": "2026-01-10",
                                       "out_reason": "Окончание временной регистрации по месту пребывания" } ] }
                  ] } ] },
              { "id": 1102, "flat_number": "1Н", "premises_type": "нежилое", "overall_area": 120.5, "accounts": [] }
            ]
          }
        ]
        """;

    public const string Meters = """
        [
          { "id": 7001, "flats_id": 1001, "type": "ХВС", "serial": "ХВ-123456", "brand": "Пульсар", "install_date": "2021-04-01", "check_date": "2027-04-01",
            "capacity": 5,
            "values": [ { "period": "2026-09-01", "date": "2026-09-20", "values": { "B": "101.250" } },
                        { "period": "2026-10-01", "date": "2026-10-20", "values": { "B": 106.5 } } ] },
          { "id": 7002, "flats_id": 1101, "type": "Эл. двухтарифный", "serial": "Э-777", "install_date": "2022-01-15", "capacity": 6,
            "values": [ { "period": "2026-10-01", "date": "2026-10-25", "values": { "T1": "1500", "T2": "700.5" } } ] },
          { "id": 7003, "houses_cards_id": 101, "type": "Отопление", "serial": "ТС-1", "install_date": "2019-10-01", "capacity": 7, "values": [] },
          { "id": 7004, "flats_id": 1002, "rooms_id": 2, "type": "Эл. однотарифный", "serial": "К-2", "install_date": "2023-03-01", "capacity": 6, "values": [] }
        ]
        """;

    /// <summary>The charges file: two months of the Орловs' cold water by meter and maintenance, one with a recalculation.</summary>
    public const string Charges = """
        [
          { "id": 80001, "accounts_id": 5001, "period": "2026-09-01", "utilities_id": 1, "utilities_title": "Холодное водоснабжение", "calculated_by": "counter",
            "bet": "Основная", "cost": "48.20", "volume": "5.25000", "value": "253.05", "recalc": "0.00", "privileges": "0.00" },
          { "id": 80002, "accounts_id": 5001, "period": "2026-09-01", "utilities_id": 2, "utilities_title": "Содержание жилья", "calculated_by": "standard",
            "cost": 28.5, "volume": 58.4, "value": 1664.4, "recalc": 0, "privileges": 0 },
          { "id": 80003, "accounts_id": 5001, "period": "2026-10-01", "utilities_id": 1, "utilities_title": "Холодное водоснабжение", "calculated_by": "counter",
            "bet": "Основная", "cost": "48.20", "volume": "5.25000", "value": "253.05", "recalc": "-12.05", "privileges": "0.00" }
        ]
        """;

    /// <summary>The payments file: the Орловs' payment through a bank's registry and a correction.</summary>
    public const string Payments = """
        [
          { "id": 90001, "accounts_id": 5001, "number": "118", "date": "2026-10-12", "sum": "1917.45", "period": "2026-09-01", "correction": 2,
            "source": "ПАО Сбербанк", "register_type": "банк", "register_number": "57", "register_date": "2026-10-13" },
          { "id": 90002, "accounts_id": 5101, "date": "2026-10-20", "sum": -100, "correction": 1, "comment": "ошибочный платёж" }
        ]
        """;

    public static IReadOnlyList<(string Name, byte[] Content)> Files(string houses = Houses, string meters = Meters, string charges = Charges,
        string payments = Payments) =>
        [
            ("houses.json", Encoding.UTF8.GetBytes(houses)), ("meters.json", Encoding.UTF8.GetBytes(meters)), ("charges.json", Encoding.UTF8.GetBytes(charges)),
            ("payments.json", Encoding.UTF8.GetBytes(payments)),
        ];
}
