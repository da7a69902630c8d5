using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CarTCds.Fhir.Model;

namespace CarTCds.Fhir.Serialization;

/// <summary>Reads a well-formed resource of the lean model straight from the JSON tokens into the
/// model's objects, with the serializer's own contract (<see cref="FhirJson.Resolver"/>: the same
/// property names, setters, null rules), but without its per-read machinery: a read stack per resource and per lenient
/// element, a duplicate-tracking bit array per object, lists grown by doubling, a new string for every
/// repeated code, system, unit and reference. It produces the model the serializer would for what it accepts, and
/// it accepts only what it can vouch for: on anything else (a value of another JSON type, a null
/// item, a duplicate or escaped property name, a number that does not fit …) it declines and the
/// caller reads the resource with the serializer, which reports errors, skips malformed lenient elements
/// and records them exactly as before (<see cref="ResourceJsonConverter"/>). It never reports an error itself.</summary>
/// <remarks>Allocation per Observation of the benchmarks' chart: tests/load/README.md "Run M".
/// Resources nested in a resource (a Bundle's entries, contained resources) are read by the options'
/// resource converter, as the serializer would, so the hook reader's skip and every error path stay its own.</remarks>
internal static class DirectModelReader
{
    /// <summary>Reads the resource of model type <paramref name="type"/> at <paramref name="reader"/> (on its
    /// StartObject); on success leaves the reader on its EndObject. Returns null when it declines: the
    /// reader is then somewhere inside the resource and the caller must rewind it.</summary>
    /// <exception cref="JsonException">Invalid JSON, or nesting past the reader's limit (from the reader),
    /// or an error of a nested resource (from its converter): the caller reads again with the serializer.</exception>
    public static Resource? TryRead(ref Utf8JsonReader reader, Type type, JsonSerializerOptions options)
    {
        if (t_serializerOnly > 0) return null;
        var plan = Plans.For(options, type);
        if (plan is null) return null;
        t_depth++;
        try
        {
            return ReadObject(ref reader, plan, options) as Resource;
        }
        finally
        {
            // Strings kept for reuse never outlive the outermost read (they may name a patient).
            if (--t_depth == 0) StringReuse.Clear();
        }
    }

    [ThreadStatic]
    private static int t_depth;

    [ThreadStatic]
    private static int t_serializerOnly;

    /// <summary>Until disposed, resources read on this thread are read by the serializer alone, as before this
    /// reader existed: inside a resource this reader declined (<see cref="ResourceJsonConverter"/>), and for the
    /// tests that prove both reads give the same model and the same errors.</summary>
    internal static SerializerOnlyScope SerializerOnly()
    {
        t_serializerOnly++;
        return new SerializerOnlyScope(true);
    }

    internal readonly struct SerializerOnlyScope(bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active) t_serializerOnly--;
        }
    }

    // On the object's StartObject; null = declined.
    private static object? ReadObject(ref Utf8JsonReader reader, ObjectPlan plan, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject || plan.Declines) return null;
        var target = plan.Create();
        ulong seen = 0;
        var previous = 0;
        Span<char> name = stackalloc char[ObjectPlan.MaxNameLength];
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject) return target;
            // The serializer matches a property by its unescaped name; an escaped one is rare enough to leave to it.
            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped || reader.HasValueSequence) return null;
            // Records of a kind are written in one order: the element that followed this one last time is
            // compared first, byte for byte, before the name is looked up.
            var slot = plan.Following(previous);
            if (slot is null || !reader.ValueSpan.SequenceEqual(slot.Utf8Name))
            {
                if (!plan.TryFind(reader.ValueSpan, name, out slot)) return null;
                if (slot is not null) plan.Learn(previous, slot);
            }
            if (!reader.Read()) return null;
            if (slot is null)
            {
                // Unknown elements are skipped, as the serializer does (duplicates of them included).
                if (!reader.TrySkip()) return null;
                continue;
            }
            if (slot.Kind == ValueKind.Unsupported) return null;
            var bit = 1UL << slot.Index;
            if ((seen & bit) != 0) return null;
            seen |= bit;
            previous = slot.Index + 1;
            // A JSON null leaves the element absent, as the serializer does.
            if (reader.TokenType == JsonTokenType.Null) continue;
            if (!TryReadValue(ref reader, slot, options, out var value)) return null;
            slot.Set(target, value);
        }
        return null;
    }

    private static bool TryReadValue(ref Utf8JsonReader reader, PropertySlot slot, JsonSerializerOptions options, out object? value)
    {
        value = null;
        switch (slot.Kind)
        {
            case ValueKind.String:
                value = ReadString(ref reader, slot.ReuseStrings);
                return value is not null;
            case ValueKind.Boolean:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False)) return false;
                value = reader.TokenType == JsonTokenType.True ? BoxedTrue : BoxedFalse;
                return true;
            case ValueKind.Int32:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var i)) return false;
                value = i;
                return true;
            case ValueKind.Int64:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var l)) return false;
                value = l;
                return true;
            case ValueKind.Decimal:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var d)) return false;
                value = d;
                return true;
            case ValueKind.Object:
                value = ReadObject(ref reader, slot.Element(options), options);
                return value is not null;
            case ValueKind.Resource:
                value = ReadResource(ref reader, options);
                return value is not null;
            case ValueKind.List:
                value = ReadList(ref reader, slot, options);
                return value is not null;
            default:
                return false;
        }
    }

    private static Resource? ReadResource(ref Utf8JsonReader reader, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return null;
        var converter = (JsonConverter<Resource>)options.GetTypeInfo(typeof(Resource)).Converter;
        return converter.Read(ref reader, typeof(Resource), options);
    }

    // Items are gathered on a per-thread stack and copied once into a list of the exact size (the
    // serializer's lists grow by doubling: a one-coding list held an array of four).
    private static IList? ReadList(ref Utf8JsonReader reader, PropertySlot slot, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return null;
        t_items ??= new object?[256];
        var start = t_itemCount;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    var count = t_itemCount - start;
                    var list = slot.CreateList(count);
                    for (var k = 0; k < count; k++) list.Add(t_items![start + k]);
                    return list;
                }
                // FHIR forbids null items; what the serializer makes of one (refused, dropped, skipped as lenient) is its call.
                if (reader.TokenType == JsonTokenType.Null) return null;
                object? item = slot.ItemKind switch
                {
                    ValueKind.String => ReadString(ref reader, slot.ReuseStrings),
                    ValueKind.Object => ReadObject(ref reader, slot.Element(options), options),
                    ValueKind.Resource => ReadResource(ref reader, options),
                    _ => null,
                };
                if (item is null) return null;
                if (t_itemCount == t_items!.Length) Array.Resize(ref t_items, t_items.Length * 2);
                t_items[t_itemCount++] = item;
            }
            return null;
        }
        finally
        {
            // Nested lists used the stack above this one's start; nothing of it is kept alive.
            Array.Clear(t_items!, start, t_itemCount - start);
            t_itemCount = start;
        }
    }

    [ThreadStatic]
    private static object?[]? t_items;

    [ThreadStatic]
    private static int t_itemCount;

    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    private static string? ReadString(ref Utf8JsonReader reader, bool reuse)
    {
        if (reader.TokenType != JsonTokenType.String) return null;
        return reuse && !reader.ValueIsEscaped && !reader.HasValueSequence ? StringReuse.Get(ref reader) : reader.GetString();
    }

    internal enum ValueKind : byte { Unsupported, String, Boolean, Int32, Int64, Decimal, Object, Resource, List }

    /// <summary>How to read one element of a model type, taken from its serializer contract.</summary>
    internal sealed class PropertySlot
    {
        // Elements whose values repeat across a chart's records (codes, systems, units, the patient
        // reference, statuses): one string per distinct value per read. Identifiers, times and free
        // text are unique per record and are not looked up.
        private static readonly HashSet<string> Reused = new(StringComparer.Ordinal)
        {
            "resourceType", "system", "code", "display", "unit", "comparator", "status", "reference", "type", "url", "use",
            "intent", "mode", "relation", "profile", "version", "priority", "gender", "valueCode", "valueUri",
        };

        private readonly Action<object, object?> _set;
        private readonly Type _elementType;
        private readonly Func<int, IList>? _createList;
        private ObjectPlan? _element;

        public PropertySlot(JsonPropertyInfo property, int index)
        {
            Index = index;
            Utf8Name = System.Text.Encoding.UTF8.GetBytes(property.Name);
            _set = property.Set ?? ((_, _) => { });
            ReuseStrings = Reused.Contains(property.Name);
            var type = property.PropertyType;
            var listItem = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
            if (listItem is not null)
            {
                Kind = ValueKind.List;
                ItemKind = KindOf(listItem);
                _elementType = listItem;
                if (ItemKind is ValueKind.String or ValueKind.Object or ValueKind.Resource)
                {
                    _createList = (Func<int, IList>)Delegate.CreateDelegate(typeof(Func<int, IList>),
                        typeof(PropertySlot).GetMethod(nameof(NewList), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(listItem));
                }
                else
                {
                    Kind = ValueKind.Unsupported;
                }
            }
            else
            {
                Kind = KindOf(type);
                _elementType = type;
            }
            if (property.Set is null) Kind = ValueKind.Unsupported;
        }

        private static ValueKind KindOf(Type type) =>
            type == typeof(string) ? ValueKind.String
            : type == typeof(bool?) ? ValueKind.Boolean
            : type == typeof(int?) ? ValueKind.Int32
            : type == typeof(long?) ? ValueKind.Int64
            : type == typeof(decimal?) ? ValueKind.Decimal
            : type == typeof(Resource) ? ValueKind.Resource
            : type.IsClass && type.Namespace == typeof(Resource).Namespace && !typeof(Resource).IsAssignableFrom(type) ? ValueKind.Object
            : ValueKind.Unsupported;

        private static IList NewList<T>(int capacity) => new List<T>(capacity);

        public int Index { get; }

        /// <summary>The element's JSON name in UTF-8.</summary>
        public byte[] Utf8Name { get; }

        public ValueKind Kind { get; }

        public ValueKind ItemKind { get; }

        public bool ReuseStrings { get; }

        public IList CreateList(int capacity) => _createList!(capacity);

        public void Set(object target, object? value) => _set(target, value);

        public ObjectPlan Element(JsonSerializerOptions options) =>
            _element ?? Interlocked.CompareExchange(ref _element, ObjectPlan.Create(options.GetTypeInfo(_elementType)), null) ?? _element!;
    }

    /// <summary>One model type's contract: how to make it and its elements by JSON name.</summary>
    internal sealed class ObjectPlan
    {
        /// <summary>Longest element name of the model (in characters) worth looking up; a longer name is not one of ours.</summary>
        public const int MaxNameLength = 48;

        private readonly Func<object> _create;
        private readonly Dictionary<string, PropertySlot>.AlternateLookup<ReadOnlySpan<char>> _byName;

        private ObjectPlan(Func<object> create, Dictionary<string, PropertySlot> byName)
        {
            _create = create;
            _byName = byName.GetAlternateLookup<ReadOnlySpan<char>>();
            _following = new PropertySlot?[byName.Count == 0 ? 1 : byName.Values.Max(p => p.Index) + 2];
        }

        /// <summary>The plan of a model type; a plan whose every lookup declines when the type has
        /// something this reader does not handle (more than 64 elements, no parameterless constructor,
        /// a read-only element, an element type outside the model).</summary>
        public static ObjectPlan Create(JsonTypeInfo info)
        {
            var byName = new Dictionary<string, PropertySlot>(StringComparer.Ordinal);
            var supported = info.Kind == JsonTypeInfoKind.Object && info.CreateObject is not null && info.Properties.Count <= 64;
            for (var index = 0; supported && index < info.Properties.Count; index++)
            {
                var property = info.Properties[index];
                if (property.Name.Length > MaxNameLength) { supported = false; break; }
                // An element this reader cannot set (one the serializer ignores, such as unreadElements, or of a
                // type it does not read) declines the object when the JSON holds it; it is rare in the wild.
                byName[property.Name] = new PropertySlot(property, index);
            }
            return supported ? new ObjectPlan(info.CreateObject!, byName) : Declining;
        }

        private static readonly ObjectPlan Declining = new(() => throw new InvalidOperationException("unreachable"), []) { _declines = true };

        private bool _declines;

        public object Create() => _create();

        /// <summary>The element that last followed the element at <paramref name="previous"/> − 1 (0: the
        /// first element of an object); null when none has been seen. A guess: the caller compares the name.</summary>
        public PropertySlot? Following(int previous) => _following[previous];

        /// <summary>Remembers that <paramref name="slot"/> followed <paramref name="previous"/>. Shared by the
        /// threads reading this type: a reference write is atomic, and a stale guess only costs the lookup.</summary>
        public void Learn(int previous, PropertySlot slot) => _following[previous] = slot;

        private readonly PropertySlot?[] _following;

        /// <summary>The element named by <paramref name="utf8Name"/> (null when the type has none); false
        /// when the name is too long to be one of ours or not valid UTF-8 (what the serializer makes of it is its call).</summary>
        public bool TryFind(ReadOnlySpan<byte> utf8Name, Span<char> buffer, out PropertySlot? slot)
        {
            slot = null;
            if (utf8Name.Length > buffer.Length || System.Text.Unicode.Utf8.ToUtf16(utf8Name, buffer, out _, out var written) != System.Buffers.OperationStatus.Done) return false;
            _byName.TryGetValue(buffer[..written], out slot);
            return true;
        }

        public bool Declines => _declines;
    }

    private static class Plans
    {
        private static readonly ConditionalWeakTable<JsonSerializerOptions, Dictionary<Type, ObjectPlan>> ByOptions = new();

        public static ObjectPlan? For(JsonSerializerOptions options, Type type)
        {
            var plans = ByOptions.GetValue(options, static _ => []);
            ObjectPlan? plan;
            lock (plans)
            {
                if (!plans.TryGetValue(type, out plan)) plans[type] = plan = ObjectPlan.Create(options.GetTypeInfo(type));
            }
            return plan.Declines ? null : plan;
        }
    }

    /// <summary>One string per distinct short ASCII value within the outermost read on this thread: a
    /// chart repeats the same system, code, unit and patient reference hundreds of times.</summary>
    private static class StringReuse
    {
        private const int Slots = 512;
        private const int MaxLength = 96;

        [ThreadStatic]
        private static string?[]? t_strings;

        /// <summary>The reader's string value (on an unescaped String token), the same one each time within the read.</summary>
        public static string Get(ref Utf8JsonReader reader)
        {
            var utf8 = reader.ValueSpan;
            if (utf8.Length > MaxLength) return reader.GetString()!;
            var strings = t_strings ??= new string?[Slots];
            // Two ways per set: the newest value first, the one it displaced second.
            var set = (int)(Hash(utf8) % (Slots / 2)) * 2;
            if (Matches(strings[set], utf8)) return strings[set]!;
            if (Matches(strings[set + 1], utf8)) return strings[set + 1]!;
            // The reader's own transcoding: invalid UTF-8 fails as it would for the serializer.
            var made = reader.GetString()!;
            if (made.Length == utf8.Length)
            {
                // ASCII only: compared byte for char in Matches.
                strings[set + 1] = strings[set];
                strings[set] = made;
            }
            return made;
        }

        private static bool Matches(string? known, ReadOnlySpan<byte> utf8) =>
            known is not null && known.Length == utf8.Length && System.Text.Ascii.Equals(utf8, known);

        public static void Clear()
        {
            if (t_strings is { } strings) Array.Clear(strings);
        }

        // Length and at most two 8-byte words, from the start and the end, mixed: a value's hash costs the
        // same few instructions whatever its length (hashing every byte was the read's largest self-time,
        // tests/load/README.md "Run N"). Values that share their first and last 8 bytes and their length
        // share a set and displace each other, which costs a new string, never a wrong one (Matches
        // compares every byte). Little-endian reads: the same sets in every process on every machine.
        private static uint Hash(ReadOnlySpan<byte> utf8)
        {
            ulong head, tail;
            var n = utf8.Length;
            if (n >= 8)
            {
                head = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
                tail = BinaryPrimitives.ReadUInt64LittleEndian(utf8[(n - 8)..]);
            }
            else if (n >= 4)
            {
                head = BinaryPrimitives.ReadUInt32LittleEndian(utf8);
                tail = BinaryPrimitives.ReadUInt32LittleEndian(utf8[(n - 4)..]);
            }
            else
            {
                // 0 to 3 bytes: all of them.
                head = n == 0 ? 0UL : (ulong)utf8[0] | ((ulong)utf8[n >> 1] << 8) | ((ulong)utf8[n - 1] << 16);
                tail = 0;
            }
            var x = (head * 0x9E3779B97F4A7C15UL) ^ (BitOperations.RotateLeft(tail, 31) * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)n;
            x ^= x >> 29;
            return (uint)((x * 0x9E3779B97F4A7C15UL) >> 32);
        }
    }
}
