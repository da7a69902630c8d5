using BenchmarkDotNet.Attributes;
using CarTCds.Fhir.Model;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Contract;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Hooks.Prefetch;
using CarTCds.Rules;
using CarTCds.Rules.Crs;
using CarTCds.Rules.Facts;
using CarTCds.Rules.IecHs;

namespace CarTCds.Benchmarks;

/// <summary>Stages of the engine alone at 1,000 and 10,000 Observations (the two ends of the linearity budget), to see where the time of
/// <see cref="EngineBenchmarks"/> goes: prefetch resolution (request → the patient's resources),
/// FHIR resources → facts, the CRS rule on those facts, and the two consumers of the CRS course
/// (the per-day grading since infusion, and the IEC-HS screen, given the CRS grade and course already
/// computed, as the service's evaluator gives them).</summary>
[MemoryDiagnoser]
public class StageBenchmarks
{
    private Patient _patient = null!;
    private IReadOnlyList<Resource> _resources = null!;
    private ClinicalFacts _facts = null!;
    private CrsAssessment _crs = null!;
    private CrsCourse? _course;
    private CdsServiceDefinition _service = null!;
    private CdsHookRequest _request = null!;
    private readonly PrefetchResolver _prefetch = new(new NoFhirQueryClient());

    [Params(1_000, 10_000)]
    public int Observations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var scenario = Scenario.Create(Observations);
        _patient = scenario.Patient;
        _resources = scenario.Resources;
        _service = scenario.Service;
        _request = scenario.Request;
        _facts = ClinicalFactsMapper.Map(_patient, _resources);
        _crs = CrsGrading.Assess(_facts, SyntheticPatient.Now, RuleSet.Default);
        if (_crs.Grade is not >= 1) throw new InvalidOperationException($"The synthetic patient should have CRS at evaluation (grade {_crs.Grade}).");
        _course = CrsCourseAnalysis.Analyse(_facts, SyntheticPatient.Now, RuleSet.Default);
    }

    [Benchmark]
    public Task<(PatientRecord? Record, HookError? Error)> ResolvePrefetch() =>
        _prefetch.ResolveAsync(_service, _request, _request.Context!, SyntheticPatient.PatientId, CancellationToken.None);

    /// <summary>The patient-scope check of every prefetched resource (part of <see cref="ResolvePrefetch"/>).</summary>
    [Benchmark]
    public int PatientScopeCheck()
    {
        var accepted = 0;
        foreach (var r in _resources)
        {
            if (PatientScope.Link(r, SyntheticPatient.PatientId, null) == PatientLink.ThisPatient) accepted++;
        }
        return accepted;
    }

    [Benchmark]
    public ClinicalFacts MapFacts() => ClinicalFactsMapper.Map(_patient, _resources);

    [Benchmark]
    public CrsAssessment CrsGrade() => CrsGrading.Assess(_facts, SyntheticPatient.Now, RuleSet.Default);

    [Benchmark]
    public CrsCourse? CrsCourseSinceInfusion() => CrsCourseAnalysis.Analyse(_facts, SyntheticPatient.Now, RuleSet.Default);

    /// <summary>The screen alone: the CRS grade and course are <see cref="CrsGrade"/> and
    /// <see cref="CrsCourseSinceInfusion"/> (the three-argument overload would grade them again).</summary>
    [Benchmark]
    public IecHsAssessment IecHs() => IecHsScreen.Assess(_facts, SyntheticPatient.Now, RuleSet.Default, _crs, _course);
}
