namespace CarTCds.Service.Hosting;

/// <summary>Configuration section <c>CarTCds</c>.</summary>
public sealed class CarTCdsOptions
{
    public const string Section = "CarTCds";

    /// <summary>Largest request body accepted, in bytes; larger → 413. Default 10 MB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Time allowed for reading the EHR's FHIR server in one hook call. Default 2 s.
    /// Keep <c>CarTCds:Fhir:TotalDeadline</c> (per read) at or below it.</summary>
    public TimeSpan FetchBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Fixes the evaluation time (ISO 8601). For tests and the sandbox only: in
    /// production the evaluation time is the request's time. Default: unset.</summary>
    public DateTimeOffset? Now { get; set; }
}
