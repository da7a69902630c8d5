using System.Diagnostics.Metrics;

namespace CarTCds.Service.Telemetry;

/// <summary>Admission control on request bodies (<see cref="Hosting.RequestBodyAdmission"/>), as a
/// metric of meter <c>CarTCds</c> (<see cref="HookMetrics.MeterName"/>):
/// <c>cartcds.admission.refused</c> {request}: calls answered 503 because reading their body would
/// have taken the bytes in flight over <c>CarTCds:Admission:MaxBufferedBodyBytes</c>. The log warns
/// at most once per 10 s; this counts every refusal, so an operator sees how often callers are
/// turned away and can raise the budget (with the memory limit) or add replicas.</summary>
public sealed class AdmissionMetrics
{
    private readonly Counter<long> _refused;

    public AdmissionMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(HookMetrics.MeterName);
        _refused = meter.CreateCounter<long>("cartcds.admission.refused", "{request}",
            "Requests answered 503 because their body would have exceeded the admission budget (CarTCds:Admission:MaxBufferedBodyBytes).");
    }

    public void Refused() => _refused.Add(1);
}
