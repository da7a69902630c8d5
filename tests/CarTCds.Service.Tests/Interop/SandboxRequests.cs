using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Interop;

/// <summary>Request bodies exactly as the official CDS Hooks Sandbox builds them (public source,
/// github.com/cds-hooks/sandbox): <c>src/retrieve-data-helpers/service-exchange.js</c> (callServices:
/// hookInstance, hook, fhirServer, context {patientId, userId, …}, prefetch with only the keys it
/// could read), <c>src/reducers/medication-reducers.js</c> (createFhirResource, R4: id
/// <c>request-123</c>, status draft, intent order, <c>category</c> as a single object,
/// <c>dosageInstruction[0].doseAndRate[0].doseQuantity</c> in <c>{pill}</c>, a product-level RxNorm
/// code, <c>reasonCode</c> copied from the chosen Condition's code, again a single object) and
/// <c>src/components/RxView/rx-view.jsx</c> / <c>RxSign/rx-sign.jsx</c> (order-select: selections
/// [<c>MedicationRequest/request-123</c>] + draftOrders; order-sign: draftOrders; a Bundle without
/// <c>type</c>).</summary>
/// <remarks>The clinical picture is HookJson's patient pat-1 at 2013-05-19T12:00Z; <see cref="RecentInfusion"/>
/// puts the CAR-T infusion on day 4, with no fever and no neurotoxicity on record (no CRS, no ICANS).</remarks>
public static class SandboxRequests
{
    /// <summary>The Sandbox's default user when none is chosen (its patientState.defaultUser form).</summary>
    public const string UserId = "Practitioner/COREPRACTITIONER1";

    public const string DraftId = "request-123";

    /// <summary>Day 0 = 2013-05-15: day 4 at the fixed evaluation time, inside every post-infusion window.</summary>
    public const string RecentInfusion = """
        {"resourceType":"Procedure","id":"cart-1","status":"completed",
         "code":{"coding":[{"system":"http://cartcds.org/fhir/CodeSystem/cartcds","code":"car-t-infusion"}]},
         "subject":{"reference":"Patient/pat-1"},
         "performedDateTime":"2013-05-15T10:00:00Z"}
        """;

    /// <summary>A body weight (for the tocilizumab dose check): 40 kg yesterday.</summary>
    public const string Weight = """
        {"resourceType":"Observation","id":"wt-1","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
         "subject":{"reference":"Patient/pat-1"},
         "effectiveDateTime":"2013-05-18T08:00:00Z",
         "valueQuantity":{"value":40,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}
        """;

    /// <summary>createFhirResource for FHIR 4.0.1 with a medication picked (medListPhase 'done').</summary>
    /// <param name="rxNorm">The prescribable's RxNorm code (the Sandbox's list holds clinical and branded drugs).</param>
    /// <param name="name">Its RxNorm name, sent as text and display.</param>
    /// <param name="pills">The "Number" field (1–5): the dose in {pill}.</param>
    public static string MedicationRequest(string rxNorm, string name, int pills = 1) => $$$"""
        {"resourceType":"MedicationRequest","id":"{{{DraftId}}}","status":"draft","intent":"order",
         "subject":{"reference":"Patient/pat-1"},"authoredOn":"2013-05-19",
         "dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},
           "doseAndRate":[{"doseQuantity":{"value":{{{pills}}},"system":"http://unitsofmeasure.org","code":"{pill}"}}]}],
         "dispenseRequest":{"expectedSupplyDuration":{"value":1,"unit":"days","system":"http://unitsofmeasure.org","code":"d"}},
         "category":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/medicationrequest-category","code":"community"}]},
         "medicationCodeableConcept":{"text":"{{{name}}}","coding":[{"display":"{{{name}}}","system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"{{{rxNorm}}}"}]},
         "reasonCode":{"coding":[{"system":"http://snomed.info/sct","code":"277571004"}],"text":"B-cell acute lymphoblastic leukaemia"}}
        """;

    /// <summary>Every prefetch key of cart-order-check / cart-eligibility, with the day-4 infusion
    /// (and any observations given).</summary>
    public static string Prefetch(params string[] observations) => HookJson.Prefetch(
    [
        ("patient", HookJson.Patient),
        ("conditions", HookJson.EmptySearchset),
        ("observations", HookJson.Searchset(observations)),
        ("procedures", HookJson.Searchset(RecentInfusion)),
        ("medicationAdministrations", HookJson.EmptySearchset),
        ("medicationStatements", HookJson.EmptySearchset),
    ]);

    /// <summary>Rx Sign: <c>order-sign</c> with the draft order in draftOrders.</summary>
    public static string OrderSign(string medicationRequest, string? prefetch = null) => $$$"""
        {"hookInstance":"{{{Guid.NewGuid()}}}","hook":"order-sign","fhirServer":"{{{HookJson.ClosedFhirServer}}}",
         "context":{"patientId":"pat-1","userId":"{{{UserId}}}","draftOrders":{"resourceType":"Bundle","entry":[{"resource":{{{medicationRequest}}}}]}},
         "prefetch":{{{prefetch ?? Prefetch()}}}}
        """;

    /// <summary>Rx View: <c>order-select</c> with the picked medication selected.</summary>
    public static string OrderSelect(string medicationRequest, string? prefetch = null) => $$$"""
        {"hookInstance":"{{{Guid.NewGuid()}}}","hook":"order-select","fhirServer":"{{{HookJson.ClosedFhirServer}}}",
         "context":{"patientId":"pat-1","userId":"{{{UserId}}}","selections":["MedicationRequest/{{{DraftId}}}"],
           "draftOrders":{"resourceType":"Bundle","entry":[{"resource":{{{medicationRequest}}}}]}},
         "prefetch":{{{prefetch ?? Prefetch()}}}}
        """;

    /// <summary>Patient View: <c>patient-view</c>, prefetch only (the keys the Sandbox could read).</summary>
    public static string PatientView(string prefetch) => $$$"""
        {"hookInstance":"{{{Guid.NewGuid()}}}","hook":"patient-view","fhirServer":"{{{HookJson.ClosedFhirServer}}}",
         "context":{"patientId":"pat-1","userId":"{{{UserId}}}"},
         "prefetch":{{{prefetch}}}}
        """;
}
