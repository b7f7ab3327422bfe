using System.Buffers.Binary;
using System.Text;
using OpenErc.Core.Common;

namespace OpenErc.Operations;

/// <summary>
/// Rows in PostgreSQL's binary COPY format, encoded straight into a buffer that goes to a raw COPY stream
/// (<c>NpgsqlConnection.BeginRawBinaryCopy</c>). Npgsql's <c>NpgsqlBinaryImporter</c> does the same field by field
/// through its parameter machinery, arrays element by element; at millions of rows (a demo region, a region's payment
/// registry with its allocation sets) that costs more CPU than the server's side of the COPY, so bulk writers encode the
/// few types they need here. Every row is checked to have exactly its table's number of fields. An async writer calls
/// <see cref="FlushIfFullAsync"/> after each row; a full buffer is otherwise sent synchronously. Format:
/// <c>https://www.postgresql.org/docs/current/sql-copy.html</c> (binary format) and the types' <c>*_recv</c> functions
/// (<c>array_recv</c>: dimensions, null flag, element type, length and lower bound, then the elements as fields).
/// </summary>
internal sealed class BinaryCopyWriter(Stream stream)
{
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private const int Int2Oid = 21, Int8Oid = 20, DateOid = 1082, NumericOid = 1700;

    private readonly byte[] _buffer = new byte[1 << 16];
    private int _position;
    private int _fieldsLeft;
    private bool _started;

    public void StartRow(int fields)
    {
        EndRow();
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), (short)fields);
        _position += 2;
        _fieldsLeft = fields;
    }

    /// <summary>Writes the end-of-data marker and sends everything buffered.</summary>
    public void Finish()
    {
        EndData();
        Flush();
    }

    /// <summary>Writes the end-of-data marker and sends everything buffered, asynchronously.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        EndData();
        await stream.WriteAsync(_buffer.AsMemory(0, _position), ct);
        _position = 0;
    }

    /// <summary>Sends the buffer when less than a quarter of it is free: between rows of an async writer.</summary>
    public async ValueTask FlushIfFullAsync(CancellationToken ct)
    {
        if (_position < _buffer.Length * 3 / 4) return;
        await stream.WriteAsync(_buffer.AsMemory(0, _position), ct);
        _position = 0;
    }

    private void EndData()
    {
        EndRow();
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), -1);
        _position += 2;
    }

    public void PutNull() => Field(-1);

    public void Put(int value)
    {
        Field(4);
        Int32(value);
    }

    public void Put(short value)
    {
        Field(2);
        Int16(value);
    }

    public void Put(long value)
    {
        Field(8);
        Int64(value);
    }

    public void Put(bool value)
    {
        Field(1);
        _buffer[_position++] = value ? (byte)1 : (byte)0;
    }

    /// <summary>date: days since 2000-01-01.</summary>
    public void Put(DateOnly value) => Put(value.DayNumber - PostgresEpochDay);

    /// <summary>timestamptz: microseconds since 2000-01-01 00:00 UTC.</summary>
    public void Put(DateTimeOffset value) => Put((value.UtcTicks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);

    public void Put(string? value)
    {
        if (value is null) { PutNull(); return; }
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Invariant.Holds(max + 4 <= _buffer.Length, "a text field fits the COPY buffer");
        Field(0, reserve: max);
        int length = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position - 4), length);
        _position += length;
    }

    /// <summary>
    /// numeric: base-10000 digits, most significant first, with the weight (power of 10000) of the first one, the
    /// sign and the display scale. The decimal's integer mantissa, padded to a multiple of four decimals, splits
    /// into those digits exactly.
    /// </summary>
    public void Put(decimal value)
    {
        Field(NumericMaxBytes);
        int length = WriteNumeric(value, _buffer.AsSpan(_position));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position - 4), length);
        _position += length;
    }

    /// <summary>bigint[] of one dimension, null elements allowed.</summary>
    public void PutArray<T>(IReadOnlyList<T> items, int start, int count, Func<T, long?> value)
    {
        int at = StartArray(count, Int8Oid, 12, HasNull(items, start, count, value));
        for (int i = start; i < start + count; i++)
        {
            if (value(items[i]) is { } v) { Int32(8); Int64(v); }
            else Int32(-1);
        }
        EndArray(at);
    }

    /// <summary>date[] of one dimension, null elements allowed.</summary>
    public void PutArray<T>(IReadOnlyList<T> items, int start, int count, Func<T, DateOnly?> value)
    {
        int at = StartArray(count, DateOid, 8, HasNull(items, start, count, value));
        for (int i = start; i < start + count; i++)
        {
            if (value(items[i]) is { } d) { Int32(4); Int32(d.DayNumber - PostgresEpochDay); }
            else Int32(-1);
        }
        EndArray(at);
    }

    /// <summary>date[] of one dimension holding months (<see cref="SqlMonths.Date"/>), null elements allowed.</summary>
    public void PutArray<T>(IReadOnlyList<T> items, int start, int count, Func<T, BillingPeriod?> month)
    {
        int at = StartArray(count, DateOid, 8, HasNull(items, start, count, month));
        for (int i = start; i < start + count; i++)
        {
            if (month(items[i]) is { } m) { Int32(4); Int32(SqlMonths.Date(m).DayNumber - PostgresEpochDay); }
            else Int32(-1);
        }
        EndArray(at);
    }

    /// <summary>smallint[] of one dimension.</summary>
    public void PutArray<T>(IReadOnlyList<T> items, int start, int count, Func<T, short> value)
    {
        int at = StartArray(count, Int2Oid, 6, nulls: false);
        for (int i = start; i < start + count; i++)
        {
            Int32(2);
            Int16(value(items[i]));
        }
        EndArray(at);
    }

    /// <summary>numeric[] of one dimension.</summary>
    public void PutArray<T>(IReadOnlyList<T> items, int start, int count, Func<T, decimal> value)
    {
        int at = StartArray(count, NumericOid, 4 + NumericMaxBytes, nulls: false);
        for (int i = start; i < start + count; i++)
        {
            int length = WriteNumeric(value(items[i]), _buffer.AsSpan(_position + 4));
            Int32(length);
            _position += length;
        }
        EndArray(at);
    }

    /// <summary>The array's field and header, with room for its elements; returns where the field's length goes.</summary>
    private int StartArray(int count, int elementOid, int elementBytes, bool nulls)
    {
        Invariant.Holds(24 + count * elementBytes <= _buffer.Length, "an array field fits the COPY buffer");
        Field(0, reserve: 20 + count * elementBytes);
        int at = _position - 4;
        Int32(1);
        Int32(nulls ? 1 : 0);
        Int32(elementOid);
        Int32(count);
        Int32(1);
        return at;
    }

    private static bool HasNull<T, TValue>(IReadOnlyList<T> items, int start, int count, Func<T, TValue?> value) where TValue : struct
    {
        for (int i = start; i < start + count; i++)
            if (value(items[i]) is null) return true;
        return false;
    }

    private void EndArray(int at) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(at), _position - at - 4);

    private void Int16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_position), value);
        _position += 2;
    }

    private void Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    private void Int64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    /// <summary>The most a numeric of a decimal takes: the header and nine base-10000 digits.</summary>
    private const int NumericMaxBytes = 8 + 2 * 9;

    /// <summary>
    /// numeric: base-10000 digits, most significant first, with the weight (power of 10000) of the first one, the
    /// sign and the display scale. The decimal's integer mantissa, padded to a multiple of four decimals, splits
    /// into those digits exactly. Returns the bytes written.
    /// </summary>
    private static int WriteNumeric(decimal value, Span<byte> span)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        int scale = (bits[3] >> 16) & 0xFF;
        bool negative = bits[3] < 0;
        var mantissa = unchecked(new UInt128((uint)bits[2], (ulong)(uint)bits[1] << 32 | (uint)bits[0]));
        int fractionGroups = (scale + 3) / 4;
        for (int i = scale; i < fractionGroups * 4; i++) mantissa *= 10;

        Span<short> groups = stackalloc short[10]; // 96 bits and 4 padding decimals: at most 33 decimals = 9 groups
        int count = 0;
        for (; mantissa != 0; mantissa /= 10_000) groups[count++] = (short)(ushort)(mantissa % 10_000);

        BinaryPrimitives.WriteInt16BigEndian(span, (short)count);
        BinaryPrimitives.WriteInt16BigEndian(span[2..], (short)(count == 0 ? 0 : count - fractionGroups - 1));
        BinaryPrimitives.WriteInt16BigEndian(span[4..], negative && count > 0 ? (short)0x4000 : (short)0);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], (short)scale);
        for (int i = 0; i < count; i++) BinaryPrimitives.WriteInt16BigEndian(span[(8 + 2 * i)..], groups[count - 1 - i]);
        return 8 + 2 * count;
    }

    public void Put(Guid? value)
    {
        if (value is not { } guid) { PutNull(); return; }
        Field(16);
        guid.TryWriteBytes(_buffer.AsSpan(_position), bigEndian: true, out _);
        _position += 16;
    }

    public void Put(long? value) { if (value is { } v) Put(v); else PutNull(); }
    public void Put(int? value) { if (value is { } v) Put(v); else PutNull(); }
    public void Put(decimal? value) { if (value is { } v) Put(v); else PutNull(); }
    public void Put(DateOnly? value) { if (value is { } v) Put(v); else PutNull(); }

    /// <summary>A month as the <c>date</c> it is stored as (<see cref="SqlMonths.Date"/>).</summary>
    public void Put(BillingPeriod month) => Put(SqlMonths.Date(month));
    public void Put(BillingPeriod? month) { if (month is { } m) Put(m); else PutNull(); }

    /// <summary>Starts a field: its length (−1 for null), with room for <paramref name="reserve"/> more bytes.</summary>
    private void Field(int length, int reserve = 0)
    {
        Invariant.Holds(_fieldsLeft-- > 0, "a COPY row writes no more fields than its table's columns");
        Reserve(4 + Math.Max(length, reserve));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_position), length);
        _position += 4;
    }

    private void EndRow() => Invariant.Holds(_fieldsLeft == 0, "a COPY row writes every column of its table");

    private void Reserve(int bytes)
    {
        if (!_started)
        {
            Header.CopyTo(_buffer, 0);
            _position = Header.Length;
            _started = true;
        }
        if (_buffer.Length - _position < bytes) Flush();
    }

    private void Flush()
    {
        stream.Write(_buffer, 0, _position);
        _position = 0;
    }
}
