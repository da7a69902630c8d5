using System.Diagnostics;

namespace CarTCds.Hooks.Evaluation;

/// <summary>Spans of the hook engine (ActivitySource <see cref="ActivitySourceName"/>):
/// <c>prefetch.resolve</c> (prefetch plus the FHIR reads it needs, each a <c>fhir.read</c> child from
/// <c>CarTCds.Fhir</c>) and <c>engine.evaluate</c> (facts, rules, cards, response check). The rules
/// themselves (CarTCds.Rules) stay free of tracing: they are timed as part of the engine span. Tags
/// never carry a patient id, a token or a FHIR URL.</summary>
public static class HookTracing
{
    public const string ActivitySourceName = "CarTCds.Hooks";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
