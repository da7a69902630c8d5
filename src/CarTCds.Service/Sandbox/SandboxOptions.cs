namespace CarTCds.Service.Sandbox;

/// <summary>Configuration section <c>CarTCds:Sandbox</c>: the mini-EHR page at <c>/sandbox</c>.</summary>
public sealed class SandboxOptions
{
    public const string Section = "CarTCds:Sandbox";

    /// <summary>Serves <c>/sandbox</c> and <c>/sandbox/api/…</c>. Default (unset): on in Development
    /// only; when set true elsewhere the service logs a start-up warning (the page shows synthetic
    /// patients and calls the hooks with them: a demo, not a clinical tool).</summary>
    public bool? Enabled { get; set; }

    /// <summary>A FHIR server whose patients the page offers too (e.g. HAPI of deploy/, loaded by
    /// <c>cartcds sandbox load</c>): their hooks name it in <c>fhirServer</c> and send no prefetch,
    /// so the service reads it (it must be allowed by <c>CarTCds:Fhir:AllowedServers</c> when that
    /// list is set). Absolute http(s) base URL. Default: unset (example patients only).</summary>
    public string? FhirServer { get; set; }

    /// <summary>Folder of the example patients (transaction Bundles, one Patient each) and of
    /// <c>draft-orders/</c>. Default: <c>sandbox-examples</c> beside the binary (the build copies
    /// <c>profiles/examples</c> there).</summary>
    public string? ExamplesPath { get; set; }

    /// <summary>The folder actually used.</summary>
    public string ResolvedExamplesPath => string.IsNullOrWhiteSpace(ExamplesPath)
        ? Path.Combine(AppContext.BaseDirectory, "sandbox-examples")
        : Path.GetFullPath(ExamplesPath);
}
