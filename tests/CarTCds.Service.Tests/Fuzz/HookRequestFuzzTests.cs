using System.Net;
using System.Text;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Fuzz;

/// <summary>5,000 mutated hook requests (truncated, flipped bytes, wrong types, huge strings, deep
/// nesting, bad UTF-8, duplicate keys, spliced fragments, and valid FHIR that once broke the service:
/// dates at the ends of the calendar, subjects that are not this patient's — issue 18): never a 5xx
/// except a deliberate 503/504 with an OperationOutcome, every error an OperationOutcome, and the
/// service still answers a good request afterwards. The generator is seeded, so a failure names a
/// case that reproduces.</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class HookRequestFuzzTests(CarTCdsWebApplicationFactory factory)
{
    private const int Cases = 5_000;
    private const int Seed = 20261122;

    private static readonly string[] Seeds =
    [
        HookJson.Toxicity(),
        HookJson.Toxicity(HookJson.ToxicityPrefetch(omitKey: "conditions")),
        $$"""{"hook":"order-select","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1","selections":["MedicationRequest/mr-kymriah"],"draftOrders":{{HookJson.DraftOrders}}},"prefetch":{{HookJson.OrderPrefetch(true)}}}""",
        $$"""{"hook":"order-sign","hookInstance":"{{HookJson.HookInstance}}","context":{"userId":"Practitioner/prac-1","patientId":"pat-1","draftOrders":{{HookJson.DraftOrders}}},"prefetch":{{HookJson.OrderPrefetch(false)}}}""",
    ];

    private static readonly string[] Paths = [HookJson.ToxicityPath, HookJson.ToxicityPath, HookJson.EligibilityPath, HookJson.OrderCheckPath];

    private static readonly string[] Splices =
    [
        "null", "[]", "{}", "\"\"", "0", "-1", "1e400", "true", "\"x\"", "[null]", "{\"resourceType\":\"Bundle\"}",
        "{\"resourceType\":\"Observation\",\"valueQuantity\":\"x\"}", "\"\\ud800\"", new string('9', 400),
        "\"" + new string('A', 200_000) + "\"", new string('[', 300) + new string(']', 300),
    ];

    // Valid FHIR dates/dateTimes/instants at the ends of the calendar (issue 18 item 1).
    private static readonly string[] ExtremeDates =
    [
        "9999", "9999-12", "9999-12-31", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59-05:00",
        "0001", "0001-01", "0001-01-01", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+05:00", "0001-01-01T09:00:00.5+14:00",
    ];

    // Subjects that are not this patient's, or another patient's (issue 18 item 2).
    private static readonly string[] Subjects =
    [
        "Group/ward-7", "urn:uuid:5b1d2c8e-6f5c-4a5e-9b8e-0f6f0a3c2d11", "patient/pat-1", "http://other.example/fhir/Patient/pat-1",
        "http://other.example/fhir/Patient/pat-2", "Patient/pat-2", "Patient/pat-1/_history/2", "#p1", "", "Patient/",
    ];

    [Fact]
    public async Task Given5000MutatedRequests_WhenPosted_ThenNoneIs5xxAndTheServiceStillAnswers()
    {
        using var client = factory.CreateClient();
        var random = new Random(Seed);
        var failures = new List<string>();
        var rejected = 0;

        for (var i = 0; i < Cases && failures.Count < 5; i++)
        {
            var which = random.Next(Seeds.Length);
            var (kind, body) = Mutate(Encoding.UTF8.GetBytes(Seeds[which]), random);

            using var response = await client.PostBytesAsync(Paths[which], body);

            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            if (status is >= 400 and < 500) rejected++;
            var deliberate = status is 503 or 504 && text.Contains("\"resourceType\":\"OperationOutcome\"", StringComparison.Ordinal);
            if (status >= 500 && !deliberate) failures.Add($"case {i} ({kind}): {status} {text[..Math.Min(300, text.Length)]}");
            else if (status >= 400 && !text.Contains("\"resourceType\":\"OperationOutcome\"", StringComparison.Ordinal)) failures.Add($"case {i} ({kind}): {status} without an OperationOutcome");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The mutations must bite: most of them are bad requests (not silently accepted).
        Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} mutated requests were refused");
        var after = await client.PostJsonAsync(HookJson.ToxicityPath, HookJson.Toxicity());
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static (string Kind, byte[] Body) Mutate(byte[] seed, Random random)
    {
        var body = seed.ToList();
        switch (random.Next(10))
        {
            case 0:
                return ("truncate", seed[..random.Next(seed.Length)]);
            case 1:
                for (var n = random.Next(1, 8); n > 0; n--) body[random.Next(body.Count)] = (byte)random.Next(256);
                return ("flip bytes", [.. body]);
            case 2:
                body.InsertRange(random.Next(body.Count), [0xC3, 0x28, 0xFF, 0xFE]);
                return ("bad UTF-8", [.. body]);
            case 3:
                return ("splice at value", SpliceAtValue(seed, Splices[random.Next(Splices.Length)], random));
            case 4:
                var text = Encoding.UTF8.GetString(seed);
                var key = text.IndexOf("\"hook\"", StringComparison.Ordinal);
                return ("duplicate key", Encoding.UTF8.GetBytes(text.Insert(key, "\"hook\":\"patient-view\",")));
            case 5:
                return ("deep nesting", Encoding.UTF8.GetBytes("{\"hook\":" + new string('[', 100 + random.Next(500)) + new string(']', 10) + "}"));
            case 6:
                body.RemoveRange(random.Next(body.Count / 2), random.Next(1, 40));
                return ("delete span", [.. body]);
            case 7:
                return ("extreme dates", ReplaceEach(seed, DateValue(), () => "\"" + ExtremeDates[random.Next(ExtremeDates.Length)] + "\"", random));
            case 8:
                return ("foreign subjects", ReplaceEach(seed, "\"Patient/pat-1\"", () => "\"" + Subjects[random.Next(Subjects.Length)] + "\"", random));
            default:
                var t = Encoding.UTF8.GetString(seed);
                var quote = t.IndexOf('"', random.Next(t.Length));
                return ("drop a quote", Encoding.UTF8.GetBytes(quote < 0 ? t : t.Remove(quote, 1)));
        }
    }

    private static System.Text.RegularExpressions.Regex DateValue() => new("\"\\d{4}-\\d{2}-\\d{2}(T[0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?\"");

    // Replaces each match with a fresh choice, or leaves it (half the time), so records differ.
    private static byte[] ReplaceEach(byte[] seed, string literal, Func<string> choice, Random random) =>
        ReplaceEach(seed, new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(literal)), choice, random);

    private static byte[] ReplaceEach(byte[] seed, System.Text.RegularExpressions.Regex pattern, Func<string> choice, Random random) =>
        Encoding.UTF8.GetBytes(pattern.Replace(Encoding.UTF8.GetString(seed), m => random.Next(2) == 0 ? m.Value : choice()));

    // Replaces the value after a random ':' with a fragment of another type or size.
    private static byte[] SpliceAtValue(byte[] seed, string fragment, Random random)
    {
        var text = Encoding.UTF8.GetString(seed);
        var colon = text.IndexOf(':', random.Next(text.Length));
        if (colon < 0) colon = text.IndexOf(':', StringComparison.Ordinal);
        var end = colon + 1;
        var depth = 0;
        var inString = false;
        for (; end < text.Length; end++)
        {
            var c = text[end];
            if (inString) { if (c == '\\') end++; else if (c == '"') inString = false; continue; }
            if (c == '"') inString = true;
            else if (c is '{' or '[') depth++;
            else if (c is '}' or ']') { if (depth == 0) break; depth--; }
            else if (c == ',' && depth == 0) break;
        }
        return Encoding.UTF8.GetBytes(text[..(colon + 1)] + fragment + text[end..]);
    }
}
