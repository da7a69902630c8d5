using CarTCds.Fhir.Client;
using CarTCds.Hooks.Evaluation;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CarTCds.Service.Telemetry;

/// <summary>Configuration section <c>CarTCds:Telemetry:Otlp</c>: export of the service's metrics
/// (meters <see cref="HookMetrics.MeterName"/> and <see cref="FhirServerClient.MeterName"/>) and
/// traces (<see cref="OpenTelemetryExport.ActivitySources"/>, ASP.NET Core and HttpClient) to an
/// OpenTelemetry collector over OTLP. Off unless <see cref="Endpoint"/> is set.</summary>
public sealed class OtlpOptions
{
    public const string Section = "CarTCds:Telemetry:Otlp";

    /// <summary>The collector, e.g. <c>http://otel-collector:4318</c> (http/protobuf; <c>/v1/metrics</c>
    /// and <c>/v1/traces</c> are added when the URL has no path) or <c>http://otel-collector:4317</c>
    /// with <see cref="Protocol"/> <c>grpc</c>. Unset (default): no export.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default) or <c>grpc</c>.</summary>
    public string Protocol { get; set; } = "http/protobuf";

    /// <summary>How often metrics, and at most how long finished spans wait, before they are sent.
    /// Default 60 s for metrics (spans: the OpenTelemetry default, 5 s, when this is longer); 100 ms to 1 h.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for one export. Default 10 s.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Headers sent with every export, e.g. <c>api-key=…</c> (comma-separated
    /// <c>name=value</c>, as OTEL_EXPORTER_OTLP_HEADERS). Never logged.</summary>
    public string? Headers { get; set; }
}

/// <summary>OpenTelemetry through the hosting extension (<c>AddOpenTelemetry()</c>): metrics and
/// traces over OTLP when <see cref="OtlpOptions.Endpoint"/> is set, and the trace and span id on
/// every log line (log scopes) whether or not anything is exported.</summary>
public static class OpenTelemetryExport
{
    /// <summary>Our span sources: <c>cds.hook</c> and <c>storage.hook_write</c> (this host),
    /// <c>prefetch.resolve</c> and <c>engine.evaluate</c> (<see cref="HookTracing"/>), <c>fhir.read</c>
    /// (<see cref="FhirServerClient"/>).</summary>
    public static readonly string[] ActivitySources = [ServiceTracing.ActivitySourceName, HookTracing.ActivitySourceName, FhirServerClient.ActivitySourceName];

    /// <summary>Reads and checks <see cref="OtlpOptions"/>, registers the export; throws (the service does not start) naming a bad setting.</summary>
    public static WebApplicationBuilder AddCarTCdsTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Load(builder.Configuration);
        // Trace and span ids go into every log line's scope, so a log line leads to its trace.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (options.Endpoint is not { } endpoint) return builder;

        var grpc = options.Protocol == "grpc";
        Uri Target(string signal) => !grpc && endpoint.AbsolutePath is "" or "/" ? new Uri(endpoint, signal) : endpoint;
        void Configure(OtlpExporterOptions exporter, string signal)
        {
            exporter.Endpoint = Target(signal);
            exporter.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            exporter.TimeoutMilliseconds = (int)options.ExportTimeout.TotalMilliseconds;
            if (!string.IsNullOrWhiteSpace(options.Headers)) exporter.Headers = options.Headers;
        }
        var spanDelay = (int)Math.Min(options.ExportInterval.TotalMilliseconds, 5000);

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("cartcds", serviceInstanceId: Environment.MachineName)
                .AddAttributes([new KeyValuePair<string, object>("deployment.environment.name", builder.Environment.EnvironmentName)]))
            .WithMetrics(metrics => metrics
                .AddMeter(HookMetrics.MeterName, FhirServerClient.MeterName)
                .AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, "/v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                }))
            .WithTracing(tracing => tracing
                .AddSource(ActivitySources)
                // The server span keeps the route template, not the path: a sandbox path names a patient.
                .AddAspNetCoreInstrumentation(o => o.EnrichWithHttpResponse = (activity, response) =>
                    activity.SetTag("url.path", (response.HttpContext.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)"))
                // A FHIR read's URL names the patient (Patient/{id}, ?patient=…): only scheme, host, port and resource type are kept.
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
                    activity.SetTag("url.full", Redacted(request.RequestUri)))
                .AddOtlpExporter(exporter =>
                {
                    Configure(exporter, "/v1/traces");
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = spanDelay;
                }));
        return builder;
    }

    /// <summary><c>scheme://host:port/{base path}/{resource type}</c> of a URL: no id, no query.</summary>
    internal static string? Redacted(Uri? url)
    {
        if (url is null || !url.IsAbsoluteUri) return null;
        var kept = new List<string>();
        foreach (var segment in url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            kept.Add(segment);
            if (char.IsAsciiLetterUpper(segment[0])) break; // the resource type: what follows is an id or an operation on it
        }
        return $"{url.Scheme}://{url.Authority}/{string.Join('/', kept)}";
    }

    /// <summary>Reads and checks <see cref="OtlpOptions"/>; throws naming the setting.</summary>
    public static OtlpOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        OtlpOptions options;
        try
        {
            options = configuration.GetSection(OtlpOptions.Section).Get<OtlpOptions>() ?? new OtlpOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"{OtlpOptions.Section} cannot be read: {ex.Message}", ex);
        }
        if (options.Endpoint is { } e && (!e.IsAbsoluteUri || e.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"{OtlpOptions.Section}:Endpoint '{e}' must be an absolute http(s) URL.");
        }
        if (options.Protocol is not ("http/protobuf" or "grpc"))
        {
            throw new InvalidOperationException($"{OtlpOptions.Section}:Protocol '{options.Protocol}' must be http/protobuf or grpc.");
        }
        if (options.ExportInterval < TimeSpan.FromMilliseconds(100) || options.ExportInterval > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException($"{OtlpOptions.Section}:ExportInterval must be between 00:00:00.1 and 01:00:00.");
        }
        if (options.ExportTimeout <= TimeSpan.Zero || options.ExportTimeout > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"{OtlpOptions.Section}:ExportTimeout must be between 0 and 00:01:00.");
        }
        return options;
    }
}

/// <summary>Spans of the host (ActivitySource <see cref="ActivitySourceName"/>): <c>cds.hook</c>, one per
/// hook call (the service id when it is in the catalogue, the status), and its child
/// <c>storage.hook_write</c> (the audit record and card registration the answer waits for).</summary>
public static class ServiceTracing
{
    public const string ActivitySourceName = "CarTCds.Service";

    internal static readonly System.Diagnostics.ActivitySource Source = new(ActivitySourceName);
}
