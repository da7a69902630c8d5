using System.Globalization;
using CarTCds.Hooks.Catalog;
using CarTCds.Hooks.Evaluation;
using CarTCds.Hooks.Facts;
using CarTCds.Rules;
using CarTCds.Rules.Crs;

namespace CarTCds.Benchmarks;

/// <summary><c>-- --repeat STAGE CHART N [DAY]</c>: runs one stage of the engine N times after one warm-up
/// call and prints its bytes per call, for a CPU differential under callgrind (instructions of N minus
/// those of 0 repetitions, divided by N: repeatable on a busy machine, unlike timings; tests/load/README.md).
/// STAGE: <c>read</c> (the request read, <see cref="CdsRequestReader.Read"/>), <c>read-whole</c> (the same with
/// every resource materialised, no relevance peek), <c>engine</c> (the whole <c>EvaluateAsync</c>), <c>course</c> (the CRS course since infusion
/// on facts mapped once) or <c>rules</c> (bytes per call of the prefetch, the facts mapping, each rule and some card composers;
/// with <c>CARTCDS_ALLOCATION_STAGE=NAME</c>, the types that stage allocates over N calls). CHART as in <see cref="Scenario.ForChart"/>. DAY: evaluate on that day after
/// the infusion instead of day 14 (the CRS course grades every day since infusion). With the environment
/// variable <c>CARTCDS_ALLOCATION_TYPES=1</c> it also prints the types allocated, sampled by the runtime
/// every ≈100 KB (the GC's AllocationTick event): closures are named after the method that made them.</summary>
public static class RepeatCommand
{
    public static int Run(string[] args)
    {
        if (args.Length is < 3 or > 4)
        {
            Console.Error.WriteLine("usage: --repeat read|read-whole|engine|course|rules CHART N [DAY]   (CHART as 200, 1000 or 5000/200)");
            return 2;
        }
        var scenario = Scenario.ForChart(args[1]);
        var n = int.Parse(args[2], CultureInfo.InvariantCulture);
        var now = args.Length == 4 ? SyntheticPatient.Infusion.AddDays(int.Parse(args[3], CultureInfo.InvariantCulture)) : SyntheticPatient.Now;
        Func<object?> stage;
        switch (args[0])
        {
            case "read" or "read-whole":
                var body = scenario.RequestUtf8();
                var whole = args[0] == "read-whole";
                stage = () => CdsRequestReader.Read(body, readWhole: whole).Request ?? throw new InvalidOperationException("The chart's request did not read.");
                break;
            case "engine":
                var evaluator = CdsEngine.Create(new FixedTimeProvider(now));
                stage = () => evaluator.EvaluateAsync(CdsServiceCatalog.ToxicityId, scenario.Request, CancellationToken.None).GetAwaiter().GetResult();
                break;
            case "rules":
                return Rules(scenario, now, n);
            case "course":
                var facts = ClinicalFactsMapper.Map(scenario.Patient, scenario.Resources);
                stage = () => CrsCourseAnalysis.Analyse(facts, now, RuleSet.Default);
                break;
            default:
                Console.Error.WriteLine($"unknown stage {args[0]}");
                return 2;
        }

        GC.KeepAlive(stage());
        using var types = Environment.GetEnvironmentVariable("CARTCDS_ALLOCATION_TYPES") == "1" ? new AllocationTypes() : null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++) GC.KeepAlive(stage());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{args[0]} {args[1]} day {(now - SyntheticPatient.Infusion).TotalDays:F0}: {n} calls, {(n == 0 ? 0 : allocated / n):N0} B per call"));
        if (types is not null)
        {
            foreach (var (type, count) in types.Counts.OrderByDescending(c => c.Value).Take(60)) Console.WriteLine($"{count,8} {type}");
        }
        return 0;
    }

    // Bytes per call of each rule the toxicity service runs (on facts mapped once), and of the mapping:
    // where the engine's allocation goes apart from the prefetch and the cards.
    private static int Rules(Scenario scenario, DateTimeOffset now, int n)
    {
        var rules = RuleSet.Default;
        var facts = ClinicalFactsMapper.Map(scenario.Patient, scenario.Resources);
        var crs = CrsGrading.Assess(facts, now, rules);
        var course = CrsCourseAnalysis.Analyse(facts, now, rules);
        var icans = CarTCds.Rules.Icans.IcansGrading.Assess(facts, now, rules);
        var iecHs = CarTCds.Rules.IecHs.IecHsScreen.Assess(facts, now, rules, crs, course);
        var prefetch = new CarTCds.Hooks.Prefetch.PrefetchResolver(new CarTCds.Hooks.Prefetch.NoFhirQueryClient());
        var record = prefetch.ResolveAsync(scenario.Service, scenario.Request, scenario.Request.Context!, SyntheticPatient.PatientId, CancellationToken.None).GetAwaiter().GetResult().Record!;
        var monitoring = CarTCds.Rules.Monitoring.MonitoringAdvice.Assess(facts, now, rules);
        var response = CdsEngine.Create(new FixedTimeProvider(now)).EvaluateAsync(CdsServiceCatalog.ToxicityId, scenario.Request, CancellationToken.None).GetAwaiter().GetResult().Response!;
        var stages = new (string Name, Func<object?> Run)[]
        {
            ("prefetch", () => prefetch.ResolveAsync(scenario.Service, scenario.Request, scenario.Request.Context!, SyntheticPatient.PatientId, CancellationToken.None).GetAwaiter().GetResult()),
            ("facts", () => ClinicalFactsMapper.Map(scenario.Patient, scenario.Resources)),
            ("crs grade", () => CrsGrading.Assess(facts, now, rules)),
            ("crs course", () => CrsCourseAnalysis.Analyse(facts, now, rules)),
            ("icans", () => CarTCds.Rules.Icans.IcansGrading.Assess(facts, now, rules)),
            ("iec-hs", () => CarTCds.Rules.IecHs.IecHsScreen.Assess(facts, now, rules, crs, course)),
            ("management", () => CarTCds.Rules.Management.ManagementAdvice.Assess(facts, now, rules, crs, course, icans, iecHs)),
            ("tocilizumab dose", () => CarTCds.Rules.Orders.TocilizumabDosing.Compute(facts, now, rules)),
            ("older crs scales", () => CarTCds.Rules.Crs.OlderScales.OlderCrsScales.Assess(crs, facts, rules)),
            ("preemptive tocilizumab", () => PreemptiveTocilizumab.Assess(facts, now, rules)),
            ("monitoring", () => CarTCds.Rules.Monitoring.MonitoringAdvice.Assess(facts, now, rules)),
            ("card: crs", () => CarTCds.Hooks.Cards.CrsCardComposer.Compose(crs, course, facts, record, rules)),
            ("card: icans", () => CarTCds.Hooks.Cards.IcansCardComposer.Compose(icans, 14, rules)),
            ("card: iec-hs", () => CarTCds.Hooks.Cards.IecHsCardComposer.Compose(iecHs, rules)),
            ("finding: iec-hs", () => CarTCds.Hooks.Cards.IecHsCardComposer.Finding(iecHs, rules)),
            ("response check", () => CarTCds.Hooks.Cards.CdsResponseValidator.Validate(response)),
            ("cards: monitoring", () => CarTCds.Hooks.Cards.MonitoringCardComposer.Compose(monitoring, facts, SyntheticPatient.PatientId, now, rules).ToList()),
        };
        foreach (var (name, run) in stages)
        {
            GC.KeepAlive(run());
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10; i++) GC.KeepAlive(run());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-24} {(GC.GetAllocatedBytesForCurrentThread() - before) / 10,10:N0} B"));
        }
        // CARTCDS_ALLOCATION_STAGE=NAME: that stage's allocated types (sampled over n calls).
        if (stages.FirstOrDefault(st => st.Name == Environment.GetEnvironmentVariable("CARTCDS_ALLOCATION_STAGE")) is { Run: not null } sampled)
        {
            using var types = new AllocationTypes();
            for (var i = 0; i < n; i++) GC.KeepAlive(sampled.Run());
            foreach (var (type, count) in types.Counts.OrderByDescending(c => c.Value).Take(40)) Console.WriteLine($"{count,8} {type}");
        }
        return 0;
    }

    // The runtime's allocation samples (one about every 100 KB allocated), counted by type.
    private sealed class AllocationTypes : System.Diagnostics.Tracing.EventListener
    {
        public Dictionary<string, int> Counts { get; } = [];

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.PayloadNames is null) return;
            var type = e.Payload![e.PayloadNames.IndexOf("TypeName")] as string ?? "?";
            lock (Counts) Counts[type] = Counts.GetValueOrDefault(type) + 1;
        }
    }
}
