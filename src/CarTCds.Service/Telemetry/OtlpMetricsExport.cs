using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace CarTCds.Service.Telemetry;

/// <summary>Configuration section <c>CarTCds:Telemetry:Otlp</c>: export of the service's metrics
/// (meters <see cref="HookMetrics.MeterName"/> and <see cref="Fhir.Client.FhirServerClient.MeterName"/>)
/// to an OpenTelemetry collector over OTLP. Off unless <see cref="Endpoint"/> is set.</summary>
public sealed class OtlpMetricsOptions
{
    public const string Section = "CarTCds:Telemetry:Otlp";

    /// <summary>The collector, e.g. <c>http://otel-collector:4318</c> (http/protobuf; <c>/v1/metrics</c>
    /// is added when the URL has no path) or <c>http://otel-collector:4317</c> with
    /// <see cref="Protocol"/> <c>grpc</c>. Unset (default): no export.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default) or <c>grpc</c>.</summary>
    public string Protocol { get; set; } = "http/protobuf";

    /// <summary>How often metrics are sent. Default 60 s; 100 ms to 1 h.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for one export. Default 10 s.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Headers sent with every export, e.g. <c>api-key=…</c> (comma-separated
    /// <c>name=value</c>, as OTEL_EXPORTER_OTLP_HEADERS). Never logged.</summary>
    public string? Headers { get; set; }
}

/// <summary>Builds the OpenTelemetry MeterProvider once at start-up when an OTLP endpoint is
/// configured, and flushes and disposes it at shutdown (OpenTelemetry.Extensions.Hosting is not
/// available here; this is the part of it we need).</summary>
internal sealed class OtlpMetricsExport(OtlpMetricsOptions options, IHostEnvironment environment, ILogger<OtlpMetricsExport> logger) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    /// <summary>Reads and checks <see cref="OtlpMetricsOptions"/>; throws (the service does not start) naming the setting.</summary>
    public static OtlpMetricsOptions Load(IConfiguration configuration)
    {
        OtlpMetricsOptions options;
        try
        {
            options = configuration.GetSection(OtlpMetricsOptions.Section).Get<OtlpMetricsOptions>() ?? new OtlpMetricsOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{OtlpMetricsOptions.Section} cannot be read: {ex.Message}", ex);
        }
        if (options.Endpoint is { } e && (!e.IsAbsoluteUri || e.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"{OtlpMetricsOptions.Section}:Endpoint '{e}' must be an absolute http(s) URL.");
        }
        if (options.Protocol is not ("http/protobuf" or "grpc"))
        {
            throw new InvalidOperationException($"{OtlpMetricsOptions.Section}:Protocol '{options.Protocol}' must be http/protobuf or grpc.");
        }
        if (options.ExportInterval < TimeSpan.FromMilliseconds(100) || options.ExportInterval > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException($"{OtlpMetricsOptions.Section}:ExportInterval must be between 00:00:00.1 and 01:00:00.");
        }
        if (options.ExportTimeout <= TimeSpan.Zero || options.ExportTimeout > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"{OtlpMetricsOptions.Section}:ExportTimeout must be between 0 and 00:01:00.");
        }
        return options;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Endpoint is not { } endpoint) return Task.CompletedTask;
        var grpc = options.Protocol == "grpc";
        var target = !grpc && endpoint.AbsolutePath is "" or "/" ? new Uri(endpoint, "/v1/metrics") : endpoint;
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("cartcds", serviceInstanceId: Environment.MachineName)
                .AddAttributes([new KeyValuePair<string, object>("deployment.environment.name", environment.EnvironmentName)]))
            .AddMeter(HookMetrics.MeterName, Fhir.Client.FhirServerClient.MeterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = target;
                exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                exporter.TimeoutMilliseconds = (int)options.ExportTimeout.TotalMilliseconds;
                if (!string.IsNullOrWhiteSpace(options.Headers)) exporter.Headers = options.Headers;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            })
            .Build();
        logger.LogInformation("Metrics are exported over OTLP ({Protocol}) to {Endpoint} every {Interval}.", options.Protocol, target.GetLeftPart(UriPartial.Path), options.ExportInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The last interval's numbers go out before the process ends.
        _provider?.ForceFlush((int)options.ExportTimeout.TotalMilliseconds);
        return Task.CompletedTask;
    }

    public void Dispose() => _provider?.Dispose();
}
