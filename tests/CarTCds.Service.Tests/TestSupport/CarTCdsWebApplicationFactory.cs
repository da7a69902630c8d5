using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CarTCds.Service.Tests.TestSupport;

/// <summary>The one host for the functional tests: the real Program, environment "Testing", the
/// evaluation time fixed at <see cref="FixedNow"/> and a 1 MB body limit (so the 413 tests send
/// 1 MB + 1 byte rather than 10 MB).</summary>
public sealed class CarTCdsWebApplicationFactory : WebApplicationFactory<Program>
{
    public const string FixedNow = "2013-05-19T12:00:00Z";

    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static DateTimeOffset FixedInstant { get; } = DateTimeOffset.Parse(FixedNow, CultureInfo.InvariantCulture);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseTempSqlite();
        builder.UseSetting("CarTCds:Now", FixedNow);
        builder.UseSetting("CarTCds:MaxRequestBodyBytes", MaxRequestBodyBytes.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>Every test class shares the one factory (one host for the whole suite).</summary>
[CollectionDefinition(Name)]
public sealed class CarTCdsServiceCollection : ICollectionFixture<CarTCdsWebApplicationFactory>
{
    public const string Name = "CarTCds service";
}
