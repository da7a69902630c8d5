using System.Globalization;
using System.Text.Json;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;

namespace CarTCds.Benchmarks;

/// <summary>The cart-toxicity (patient-view) request for a <see cref="SyntheticPatient"/>, as an EHR
/// sends it: every prefetch key filled from the patient's Bundle (<see cref="PatientBundleRequest"/>).</summary>
public sealed class Scenario
{
    private Scenario(CdsServiceDefinition service, Bundle bundle, CdsHookRequest request)
    {
        Service = service;
        Bundle = bundle;
        Request = request;
        Patient = bundle.Resources().OfType<Patient>().Single();
        Resources = bundle.Resources().ToList();
    }

    public CdsServiceDefinition Service { get; }

    public Bundle Bundle { get; }

    public CdsHookRequest Request { get; }

    public Patient Patient { get; }

    /// <summary>All the patient's resources (what prefetch resolution hands the facts mapper).</summary>
    public IReadOnlyList<Resource> Resources { get; }

    /// <param name="observations">Observations in the chart.</param>
    /// <param name="relevant">How many of them the rules use (default all; see <see cref="SyntheticPatient.Create"/>).</param>
    public static Scenario Create(int observations, int? relevant = null)
    {
        var service = new CdsServiceCatalog().Find(CdsServiceCatalog.ToxicityId)
            ?? throw new InvalidOperationException("The catalogue has no cart-toxicity service.");
        var bundle = SyntheticPatient.Create(observations, relevant);
        var request = PatientBundleRequest.Build(service, bundle);
        request.HookInstance = "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea";
        return new Scenario(service, bundle, request);
    }

    /// <summary>The scenario a benchmark parameter names: <c>"1000"</c> = 1,000 Observations, all
    /// relevant; <c>"5000/200"</c> = 5,000 of which 200 are relevant.</summary>
    public static Scenario ForChart(string chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var parts = chart.Split('/');
        return Create(int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The request body as UTF-8 JSON, as it arrives at POST /cds-services/cart-toxicity.</summary>
    public byte[] RequestUtf8() => JsonSerializer.SerializeToUtf8Bytes(Request, CdsJson.Request);
}
