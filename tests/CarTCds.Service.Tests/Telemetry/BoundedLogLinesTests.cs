using System.Net;
using CarTCds.Service.Telemetry;
using CarTCds.Service.Tests.Security;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CarTCds.Service.Tests.Telemetry;

/// <summary>Caller-controlled values reach the log capped at <see cref="CallerText.MaxChars"/>
/// characters (issue 18: a 9 MB hookInstance made a 19 MB log line).</summary>
public sealed class BoundedLogLinesTests
{
    [Fact]
    public async Task GivenAHookCallWithA9MbHookInstanceAndHook_WhenTheServiceLogsIt_ThenTheLineIsBounded()
    {
        // Arrange: a body limit above the 18 MB body, so the request is read and parsed.
        var logs = new CapturingLoggerProvider();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseTempSqlite();
            b.UseSetting("CarTCds:Now", CarTCdsWebApplicationFactory.FixedNow);
            b.UseSetting("CarTCds:MaxRequestBodyBytes", (32 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.ConfigureTestServices(s => s.AddSingleton<ILoggerProvider>(logs));
        });
        using var client = factory.CreateClient();
        var hookInstance = "f" + new string('0', 9 * 1024 * 1024);
        var hook = "patient-view" + new string('x', 9 * 1024 * 1024);
        var body = HookJson.Toxicity().Replace(HookJson.HookInstance, hookInstance, StringComparison.Ordinal)
            .Replace("\"patient-view\"", $"\"{hook}\"", StringComparison.Ordinal);

        // Act
        using var response = await client.PostJsonAsync(HookJson.ToxicityPath, body);

        // Assert: refused (not a UUID, not this service's hook), and logged in a bounded line that
        // still shows the start of each value.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var line = Assert.Single(logs.Entries, e => e.Message.StartsWith("Hook call ", StringComparison.Ordinal));
        Assert.Contains("f0000000000", line.Message, StringComparison.Ordinal);
        Assert.Contains("patient-viewxxxx", line.Message, StringComparison.Ordinal);
        Assert.True(line.AllText.Length < 4 * CallerText.MaxChars + 1024, $"log line of {line.AllText.Length} characters");
        var longest = logs.Entries.Max(e => e.AllText.Length);
        Assert.True(longest < 8 * 1024, $"longest log entry: {longest} characters");
    }

    [Theory]
    [InlineData(null, "-")]
    [InlineData("", "")]
    [InlineData("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea")]
    [InlineData("line\nforged\r\tline", "line?forged??line")]
    [InlineData("emoji 😀 kept", "emoji 😀 kept")]
    [InlineData("ends\n", "ends?")]
    public void GivenAShortValue_WhenCapped_ThenItIsKeptWithControlCharactersReplaced(string? value, string expected) =>
        Assert.Equal(expected, CallerText.Cap(value));

    [Theory]
    [InlineData("d1577c69-dfbe-44ad-ba6d-3e05e953b2ea")]
    [InlineData("patient-view")]
    public void GivenAPlainValueWithinTheCap_WhenCapped_ThenTheSameStringIsReturnedWithoutACopy(string value)
    {
        var capped = CallerText.Cap(value);

        // One log line per hook call caps five values: the usual ones cost no allocation.
        Assert.Same(value, capped);
    }

    [Theory]
    [InlineData(CallerText.MaxChars, false)]
    [InlineData(CallerText.MaxChars + 1, true)]
    [InlineData(9 * 1024 * 1024, true)]
    public void GivenAValueAroundTheCap_WhenCapped_ThenAtMostMaxCharsAreKeptAndACutIsMarked(int length, bool cut)
    {
        var value = new string('a', length);

        var capped = CallerText.Cap(value);

        Assert.Equal(cut ? new string('a', CallerText.MaxChars) + "…" : value, capped);
    }

    [Fact]
    public void GivenAShortValueWithALoneSurrogate_WhenCapped_ThenItIsReplaced()
    {
        // Built here, not in [InlineData]: the test runner's serialisation would not keep a lone surrogate.
        var high = "lone " + '\uD800' + " half";
        var low = "lone " + '\uDC00' + " half";

        var cappedHigh = CallerText.Cap(high);
        var cappedLow = CallerText.Cap(low);

        Assert.Equal("lone ? half", cappedHigh);
        Assert.Equal("lone ? half", cappedLow);
    }

    [Fact]
    public void GivenASurrogatePairCutByTheCap_WhenCapped_ThenNoLoneSurrogateIsWritten()
    {
        // "😀" is two UTF-16 code units; placed across the cap, its first half would be left alone.
        var value = new string('a', CallerText.MaxChars - 1) + "😀" + "tail";

        var capped = CallerText.Cap(value);

        Assert.Equal(new string('a', CallerText.MaxChars - 1) + "?…", capped);
    }
}
