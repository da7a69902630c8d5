using System.Collections.Concurrent;
using CarTCds.Fhir.Model;
using CarTCds.Fhir.Serialization;
using CarTCds.Hooks.Timeline;
using CarTCds.Rules;

namespace CarTCds.Service.Sandbox;

/// <summary>The example patients' timelines (<see cref="PatientTimeline"/>), cached per patient: a
/// story does not change while the service runs.</summary>
public sealed class ExampleTimelines(ExamplePatients examples, RuleSet rules)
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<TimelineDay>> _cache = new(StringComparer.Ordinal);

    /// <summary>The days 0 … last day of the story; null for an unknown patient; empty without infusion.</summary>
    public IReadOnlyList<TimelineDay>? For(string patientId) =>
        examples.Find(patientId) is { } p ? _cache.GetOrAdd(p.Id, _ => Build(p, rules)) : null;

    private static IReadOnlyList<TimelineDay> Build(ExamplePatient p, RuleSet rules) =>
        p.HasInfusion ? PatientTimeline.Build((Bundle)FhirJson.Parse(p.Bundle.ToJsonString()), rules) : [];
}
