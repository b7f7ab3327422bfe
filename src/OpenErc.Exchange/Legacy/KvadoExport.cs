using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace OpenErc.Exchange.Legacy;

/// <summary>
/// The public JSON export of the Квадо system (exchange.md §5.1): the houses file (houses, entrances, premises, rooms,
/// accounts, residents) and the meters file (meters with their reading history). Values come as strings or numbers
/// alike; dates are <c>yyyy-MM-dd</c>. Every record that cannot be read is an error with its place (the file and the path
/// inside it) and the reason in Russian. The charges and payments files are read as history: the centre keeps them, read
/// only, and they do not change balances (the opening balance is the account's <c>saldo</c>).
/// </summary>
public static class KvadoExport
{
    /// <summary>The largest file read (a region's houses file is tens of megabytes).</summary>
    public const int MaxBytes = 512 * 1024 * 1024;

    public static (LegacyRegion Region, IReadOnlyList<LegacyError> Errors, IReadOnlyList<string> Warnings) Read(
        IReadOnlyList<(string Name, byte[] Content)> files)
    {
        var reader = new Reader();
        var houses = new List<LegacyHouse>();
        var meters = new List<LegacyMeter>();
        var charges = new List<LegacyCharge>();
        var payments = new List<LegacyPayment>();
        foreach (var (name, content) in files)
        {
            if (reader.Document(name, content) is not { } root) continue;
            var (kind, items) = Items(root);
            if (kind == "meters")
                for (int i = 0; i < items.Count; i++) reader.Meter($"{name}: [{i}]", items[i], meters);
            else if (kind == "houses")
                for (int i = 0; i < items.Count; i++) reader.House($"{name}: [{i}]", items[i], houses);
            else if (kind == "charges")
                for (int i = 0; i < items.Count; i++) reader.Charge($"{name}: [{i}]", items[i], charges);
            else if (kind == "payments")
                for (int i = 0; i < items.Count; i++) reader.Payment($"{name}: [{i}]", items[i], payments);
            else reader.Errors.Add(new(name, "Не файл выгрузки Квадо: ожидается массив домов (с помещениями) или приборов учёта"));
        }
        return (new LegacyRegion(houses, meters) { Charges = charges, Payments = payments }, reader.Errors, reader.Warnings);
    }

    /// <summary>What a file holds, by the fields of its first element: houses have premises, meters have a type and values.</summary>
    private static (string? Kind, List<JsonElement> Items) Items(JsonElement root)
    {
        var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList()
            : root.ValueKind == JsonValueKind.Object && root.EnumerateObject().FirstOrDefault(p => p.Value.ValueKind == JsonValueKind.Array) is { Value: var v } && v.ValueKind == JsonValueKind.Array
                ? v.EnumerateArray().ToList() : [];
        if (items.Count == 0) return (root.ValueKind == JsonValueKind.Array ? "houses" : null, items);
        var first = items[0];
        if (first.ValueKind != JsonValueKind.Object) return (null, items);
        if (first.TryGetProperty("premises", out _) || first.TryGetProperty("address", out _)) return ("houses", items);
        if (first.TryGetProperty("serial", out _) || first.TryGetProperty("values", out _)) return ("meters", items);
        if (first.TryGetProperty("utilities_id", out _)) return ("charges", items);
        if (first.TryGetProperty("sum", out _)) return ("payments", items);
        return (null, items);
    }

    private sealed class Reader
    {
        public List<LegacyError> Errors { get; } = [];
        public List<string> Warnings { get; } = [];

        // An account number and a house's id appear once in an export: where each was first seen.
        private readonly Dictionary<string, string> _accounts = [], _houses = [];

        private void Once(Dictionary<string, string> seen, string key, string place, string what)
        {
            if (key.Length > 0 && !seen.TryAdd(key, place)) Errors.Add(new(place, $"{what} «{key}» уже есть в {seen[key]}"));
        }

        public JsonElement? Document(string name, byte[] content)
        {
            if (content.Length > MaxBytes) return Fail(name, $"Файл больше {MaxBytes / 1024 / 1024} МБ");
            try
            {
                Encodings.StrictUtf8.GetString(content);
            }
            catch (System.Text.DecoderFallbackException)
            {
                return Fail(name, "Файл не в кодировке UTF-8: выгрузка Квадо — JSON в UTF-8");
            }
            try
            {
                using var doc = JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 32, CommentHandling = JsonCommentHandling.Skip });
                return doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                return Fail(name, $"Файл не читается как JSON (строка {e.LineNumber + 1}): он обрезан или повреждён");
            }

            JsonElement? Fail(string place, string reason)
            {
                Errors.Add(new(place, reason));
                return null;
            }
        }

        public void House(string place, JsonElement h, List<LegacyHouse> houses)
        {
            int before = Errors.Count;
            string id = Text(place, h, "id", required: true) ?? "";
            Once(_houses, id, place, "Дом с id");
            string address = Text(place, h, "address", required: true) ?? "";
            var (settlement, street, house, block) = LegacyAddress.Parse(address);
            if (address.Length > 0 && house is null) Errors.Add(new(place, $"В адресе «{address}» нет номера дома («д. 5»)"));
            Guid? fias = Text(place, h, "fias_houseguid") is { } g ? Guid.TryParse(g, out var guid) ? guid : Bad<Guid?>(place, "fias_houseguid", g, "не GUID") : null;
            var entrances = Array(h, "entrances");
            var premises = new List<LegacyPremise>();
            var list = Array(h, "premises");
            for (int i = 0; i < list.Count; i++)
                if (Premise($"{place}.premises[{i}]", list[i]) is { } p) premises.Add(p);
            int floors = Math.Max(1, Math.Max(entrances.Select(e => Int(place, e, "floors") ?? 1).DefaultIfEmpty(1).Max(),
                premises.Select(p => p.Floor ?? 1).DefaultIfEmpty(1).Max()));
            if (Errors.Count == before)
                houses.Add(new LegacyHouse(place, id, address, settlement, street, house!, block, fias, Text(place, h, "oktmo"), Text(place, h, "cadastral_number"),
                    Math.Max(1, entrances.Count), floors, premises));
        }

        private LegacyPremise? Premise(string place, JsonElement p)
        {
            int before = Errors.Count;
            string id = Text(place, p, "id", required: true) ?? "";
            string number = Text(place, p, "flat_number", required: true) ?? "";
            string? type = Text(place, p, "premises_type", required: true);
            (bool Residential, bool Communal)? kind = type?.ToLowerInvariant() switch
            {
                "квартира" or "совместная квартира" => (true, false),
                "коммунальная квартира" => (true, true),
                "нежилое" or "кладовая" or "кладовка" or "машиноместо" => (false, false),
                null => null,
                _ => Bad<(bool, bool)?>(place, "premises_type", type,
                    "неизвестный тип помещения: квартира, совместная квартира, коммунальная квартира, нежилое, кладовая, машиноместо"),
            };
            decimal area = Dec(place, p, "overall_area") ?? 0m;
            if (area <= 0) Errors.Add(new(place + ".overall_area", "Укажите общую площадь помещения больше нуля"));
            // The rooms of a communal flat, by id: an account bound to one takes its area when the source gives no other.
            var rooms = new Dictionary<string, decimal?>();
            var roomList = Array(p, "rooms");
            for (int i = 0; i < roomList.Count; i++)
                if (Text($"{place}.rooms[{i}]", roomList[i], "id", required: true) is { } room) rooms[room] = Dec($"{place}.rooms[{i}]", roomList[i], "area");
            var accounts = new List<LegacyAccount>();
            var list = Array(p, "accounts");
            for (int i = 0; i < list.Count; i++)
                if (Account($"{place}.accounts[{i}]", list[i], rooms) is { } a) accounts.Add(a);
            if (Errors.Count > before || kind is not { } k) return null;
            return new LegacyPremise(place, id, number, k.Residential, k.Communal, area, Dec(place, p, "living_area"), Int(place, p, "number_of_rooms"),
                Int(place, p, "entrance"), Int(place, p, "floor"), Text(place, p, "cadastral_number"), accounts);
        }

        private LegacyAccount? Account(string place, JsonElement a, Dictionary<string, decimal?> rooms)
        {
            int before = Errors.Count;
            string id = Text(place, a, "id", required: true) ?? "";
            string number = Text(place, a, "account", required: true) ?? "";
            Once(_accounts, number, place, "Лицевой счёт");
            var opened = Day(place, a, "date_from", required: true);
            var closed = Day(place, a, "date_to");
            if (opened is { } o && closed is { } c && c <= o) Errors.Add(new(place + ".date_to", $"Дата закрытия {c:dd.MM.yyyy} не позже даты открытия {o:dd.MM.yyyy}"));
            var residents = new List<LegacyResident>();
            var list = Array(a, "residents");
            for (int i = 0; i < list.Count; i++)
                if (Resident($"{place}.residents[{i}]", list[i]) is { } r) residents.Add(r);
            var shares = residents.Where(r => r.Owner && r.Share is not null).Select(r => r.Share!.Value).ToList();
            if (shares.Count > 0 && !SumsToOne(shares))
                Warnings.Add($"{place}: доли собственников ({string.Join(" + ", shares)}) в сумме не равны 1 — загружены как есть");
            if (Errors.Count > before) return null;
            string? room = Text(place, a, "rooms_id");
            if (room is not null && !rooms.ContainsKey(room)) Errors.Add(new(place + ".rooms_id", $"Комнаты {room} нет среди комнат помещения"));
            decimal? area = Dec(place, a, "calculated_area");
            if (Errors.Count > before) return null;
            return new LegacyAccount(place, id, number, Text(place, a, "old_account"), opened!.Value, closed, Int(place, a, "residents_count"), Dec(place, a, "saldo"),
                Day(place, a, "saldo_period"), area ?? (room is null ? null : rooms[room]), Text(place, a, "gis_id"), Text(place, a, "gis_zhkh_id"), residents, room);
        }

        private LegacyResident? Resident(string place, JsonElement r)
        {
            int before = Errors.Count;
            string id = Text(place, r, "id", required: true) ?? "";
            string? type = Text(place, r, "type");
            if (type is not null && !type.Equals("физ. лицо", StringComparison.OrdinalIgnoreCase))
            {
                Warnings.Add($"{place}: юридическое лицо не загружается — в реестре собственники и жильцы — граждане");
                return null;
            }
            var person = r.TryGetProperty("individual", out var ind) && ind.ValueKind == JsonValueKind.Object ? ind : default;
            string last = person.ValueKind == JsonValueKind.Object ? Text(place + ".individual", person, "lastname", required: true) ?? "" : Missing(place, "individual");
            string first = person.ValueKind == JsonValueKind.Object ? Text(place + ".individual", person, "firstname", required: true) ?? "" : "";
            Fraction? share = Text(place, r, "share") is { } s ? Share(place + ".share", s) : null;
            string? relation = Text(place, r, "flats_relation");
            bool owner = relation?.Equals("Собственник", StringComparison.OrdinalIgnoreCase) == true;
            LegacyRegistration? registration = null;
            if (r.TryGetProperty("residence", out var residence) && residence.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                var first0 = residence.ValueKind == JsonValueKind.Array ? residence.EnumerateArray().FirstOrDefault() : residence;
                if (first0.ValueKind == JsonValueKind.Object) registration = Registration(place + ".residence", first0);
            }
            if (Errors.Count > before) return null;
            string? sex = person.ValueKind == JsonValueKind.Object ? Text(place, person, "sex") : null;
            return new LegacyResident(place, id, new LegacyPerson(last, first, Text(place, person, "patronymic"), Day(place + ".individual", person, "birthdate"),
                    sex is null ? null : sex.StartsWith('м') || sex.StartsWith('М'), Text(place, person, "ssn"), Text(place, r, "mobile_phone_1"), Text(place, r, "email"),
                    person.ValueKind == JsonValueKind.Object ? Document(place + ".individual", person) : null),
                owner, share, Text(place, r, "main_payer")?.Equals("Да", StringComparison.OrdinalIgnoreCase) == true, Text(place, r, "relationship"), registration);
        }

        /// <summary>The person's document when the export has one whole (kind, number, issuer, day); a partial one is reported and left.</summary>
        private LegacyDocument? Document(string place, JsonElement person)
        {
            string? kind = Text(place, person, "document_type"), number = Text(place, person, "document_number"), issuer = Text(place, person, "document_issued");
            var issued = Day(place, person, "document_issue_date");
            if (kind is null && number is null) return null;
            if (kind is null || number is null || issuer is null || issued is null)
            {
                Warnings.Add($"{place}: документ без вида, номера, кем или когда выдан — не загружен");
                return null;
            }
            return new LegacyDocument(kind, Text(place, person, "document_serial"), number, issuer, Text(place, person, "document_code"), issued.Value);
        }

        private LegacyRegistration? Registration(string place, JsonElement e)
        {
            string? type = Text(place, e, "type");
            var from = Day(place, e, "date_from", required: true);
            var to = Day(place, e, "date_to");
            if (type is not (null or "const" or "tmp")) return Bad<LegacyRegistration?>(place, "type", type, "вид регистрации — const или tmp");
            string? reason = Text(place, e, "out_reason")?.Trim('\'', '’', ' ');
            return from is { } f ? new LegacyRegistration(type != "tmp", f, to, reason, Slip(e, "from"), Slip(e, "to")) : null;
        }

        private static string? Slip(JsonElement e, string name) =>
            e.TryGetProperty(name, out var slip) && slip.ValueKind == JsonValueKind.Object
                ? string.Join(", ", new[] { "country", "region", "district", "city", "locality", "street", "house", "flat" }
                    .Select(k => slip.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()?.Trim() : null)
                    .Where(v => !string.IsNullOrEmpty(v))) is { Length: > 0 } text ? text : null
                : null;

        public void Meter(string place, JsonElement m, List<LegacyMeter> meters)
        {
            int before = Errors.Count;
            string id = Text(place, m, "id", required: true) ?? "";
            string? house = Text(place, m, "houses_cards_id"), premise = Text(place, m, "flats_id");
            if (house is null && premise is null) Errors.Add(new(place, "Прибор не привязан ни к дому (houses_cards_id), ни к помещению (flats_id)"));
            string? type = Text(place, m, "type", required: true);
            int zones = type switch
            {
                "ХВС" or "ГВС" or "Эл. однотарифный" or "Газ" or "Отопление" => 1,
                "Эл. двухтарифный" => 2,
                "Эл. трехтарифный" => 3,
                null => 1,
                _ => Bad<int>(place, "type", type, "неизвестный тип прибора: ХВС, ГВС, Эл. однотарифный, Эл. двухтарифный, Эл. трехтарифный, Газ, Отопление"),
            };
            string serial = Text(place, m, "serial", required: true) ?? "";
            var installed = Day(place, m, "install_date", required: true);
            var readings = new List<LegacyReading>();
            var values = Array(m, "values");
            for (int i = 0; i < values.Count; i++)
            {
                string at = $"{place}.values[{i}]";
                var day = Day(at, values[i], "date", required: true);
                if (!values[i].TryGetProperty("values", out var v) || v.ValueKind != JsonValueKind.Object)
                {
                    Errors.Add(new(at + ".values", "Нет показаний: ожидается объект {\"B\": …} или {\"T1\": …, \"T2\": …}"));
                    continue;
                }
                foreach (var p in v.EnumerateObject())
                {
                    int zone = p.Name switch { "B" or "T1" => 1, "T2" => 2, "T3" => 3, _ => 0 };
                    if (zone == 0) Errors.Add(new($"{at}.values.{p.Name}", "Неизвестная зона: B, T1, T2, T3"));
                    else if (Number(p.Value) is not { } value || value < 0) Errors.Add(new($"{at}.values.{p.Name}", $"Показание — не число: «{p.Value}»"));
                    else if (day is { } d) readings.Add(new LegacyReading(at, d, zone, value));
                }
            }
            if (Errors.Count == before && type is not null)
                meters.Add(new LegacyMeter(place, id, house, premise, type, zones, serial, Text(place, m, "model") ?? Text(place, m, "brand"), installed!.Value,
                    Day(place, m, "stamp_date"), Day(place, m, "check_date"), Day(place, m, "replace_date"), Int(place, m, "capacity") ?? 5, readings,
                    Text(place, m, "rooms_id")));
        }

        public void Charge(string place, JsonElement c, List<LegacyCharge> charges)
        {
            int before = Errors.Count;
            string id = Text(place, c, "id", required: true) ?? "";
            string account = Text(place, c, "accounts_id", required: true) ?? "";
            var period = Day(place, c, "period", required: true);
            string service = Text(place, c, "utilities_title") ?? Text(place, c, "utilities_id", required: true) ?? "";
            string? method = Text(place, c, "calculated_by");
            if (method is not (null or "counter" or "average" or "standard")) Bad<string>(place, "calculated_by", method, "способ расчёта — counter, average или standard");
            decimal value = Dec(place, c, "value") ?? 0m, recalc = Dec(place, c, "recalc") ?? 0m, benefit = Dec(place, c, "privileges") ?? 0m;
            decimal? rate = Dec(place, c, "cost"), volume = Dec(place, c, "volume");
            if (Errors.Count == before)
                charges.Add(new LegacyCharge(place, id, account, BillingMonthStart(period!.Value), service, method, Text(place, c, "bet"), rate, volume, value, recalc, benefit));
        }

        public void Payment(string place, JsonElement p, List<LegacyPayment> payments)
        {
            int before = Errors.Count;
            string id = Text(place, p, "id", required: true) ?? "";
            string account = Text(place, p, "accounts_id", required: true) ?? "";
            var day = Day(place, p, "date", required: true);
            decimal? sum = Dec(place, p, "sum");
            if (sum is null) Missing(place, "sum");
            var period = Day(place, p, "period");
            string? comment = Text(place, p, "comment");
            if (Text(place, p, "correction") == "1") comment = comment is null ? "Корректировка" : $"Корректировка: {comment}";
            string? registry = Text(place, p, "register_number") is { } number ? $"реестр № {number}" + (Text(place, p, "register_date") is { } on ? $" от {on}" : "") : null;
            string? agent = string.Join(", ", new[] { Text(place, p, "source"), registry }.OfType<string>()) is { Length: > 0 } a ? a : null;
            if (Errors.Count == before)
                payments.Add(new LegacyPayment(place, id, account, day!.Value, sum!.Value, period is { } m ? BillingMonthStart(m) : null, Text(place, p, "number"), agent, comment));
        }

        private static DateOnly BillingMonthStart(DateOnly day) => new(day.Year, day.Month, 1);

        private static bool SumsToOne(List<Fraction> shares)
        {
            // Exact: Σ n_i / d_i = 1 ⇔ Σ n_i × (L / d_i) = L over the least common multiple L of the denominators.
            BigInteger common = 1;
            foreach (var f in shares) common = common / BigInteger.GreatestCommonDivisor(common, f.Denominator) * f.Denominator;
            BigInteger sum = 0;
            foreach (var f in shares) sum += f.Numerator * (common / f.Denominator);
            return sum == common;
        }

        private Fraction? Share(string place, string text)
        {
            if (Fraction.TryParse(text, out var share)) return share;
            Errors.Add(new(place, $"Доля «{text.Trim()}» не читается: нужна дробь вида 1/2 или 142/584, или десятичная от 0 до 1"));
            return null;
        }

        private string Missing(string place, string field)
        {
            Errors.Add(new(place, $"Нет поля «{field}»"));
            return "";
        }

        private T? Bad<T>(string place, string field, string? value, string reason)
        {
            Errors.Add(new($"{place}.{field}", $"«{value}»: {reason}"));
            return default;
        }

        private static List<JsonElement> Array(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToList() : [];

        private string? Text(string place, JsonElement e, string name, bool required = false)
        {
            string? text = e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
                ? v.ValueKind switch
                {
                    JsonValueKind.String => v.GetString()?.Trim(),
                    JsonValueKind.Number => v.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                }
                : null;
            if (string.IsNullOrEmpty(text)) text = null;
            if (text is null && required) Errors.Add(new($"{place}.{name}", "Не заполнено обязательное поле"));
            return text;
        }

        private static decimal? Number(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetDecimal(out var d) => d,
            JsonValueKind.String when decimal.TryParse(v.GetString()?.Trim().Replace(',', '.'), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
                CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };

        private decimal? Dec(string place, JsonElement e, string name)
        {
            if (Text(place, e, name) is not { } text) return null;
            if (Number(e.GetProperty(name)) is { } d) return d;
            Errors.Add(new($"{place}.{name}", $"Не число: «{text}»"));
            return null;
        }

        private int? Int(string place, JsonElement e, string name)
        {
            if (Dec(place, e, name) is not { } d) return null;
            if (d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue) return (int)d;
            Errors.Add(new($"{place}.{name}", $"Не целое число: «{d}»"));
            return null;
        }

        private DateOnly? Day(string place, JsonElement e, string name, bool required = false)
        {
            if (Text(place, e, name, required) is not { } text) return null;
            string day = text.Length > 10 ? text[..10] : text;
            if (DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
            Errors.Add(new($"{place}.{name}", $"Не дата ГГГГ-ММ-ДД: «{text}»"));
            return null;
        }
    }
}
