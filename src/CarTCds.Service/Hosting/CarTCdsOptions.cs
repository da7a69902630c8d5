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

    /// <summary>Longest time one request may take, from its first byte to the answer; past it the
    /// request is cancelled and answered 504 with an OperationOutcome (never a late, partial
    /// answer). Default 10 s; must exceed <see cref="FetchBudget"/>. A slow body upload is also
    /// bounded by Kestrel's minimum data rate (240 bytes/s after a 5 s grace).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Fixes the evaluation time (ISO 8601). For tests and the sandbox only: in
    /// production the evaluation time is the request's time. Default: unset.</summary>
    public DateTimeOffset? Now { get; set; }
}
