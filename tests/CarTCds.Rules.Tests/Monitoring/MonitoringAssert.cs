using CarTCds.Rules.Monitoring;

namespace CarTCds.Rules.Tests.Monitoring;

internal static class MonitoringAssert
{
    /// <summary>Monitoring advice for <paramref name="chart"/> at <see cref="Chart.Now"/>.</summary>
    public static MonitoringAssessment Assess(this Chart chart, RuleSet? rules = null) => MonitoringAdvice.Assess(chart.Build(), Chart.Now, rules ?? RuleSet.Default);

    /// <summary>The single item with <paramref name="code"/>, checked for the shape every item must have.</summary>
    public static MonitoringItem Item(MonitoringAssessment a, string code)
    {
        var item = Assert.Single(a.Items, i => i.Code == code);
        Assert.InRange(item.Summary.Length, 1, 139);
        Assert.DoesNotContain('\n', item.Summary);
        Assert.False(string.IsNullOrWhiteSpace(item.Detail));
        Assert.False(string.IsNullOrWhiteSpace(item.Source.Citation));
        Assert.NotEmpty(item.Evidence);
        Assert.All(item.Evidence, e => Assert.Contains('/', e.Source));
        return item;
    }

    public static void NoItem(MonitoringAssessment a, string code) => Assert.DoesNotContain(a.Items, i => i.Code == code);

    /// <summary>The evidence sources, sorted (order-independent comparison).</summary>
    public static string[] Sources(MonitoringItem item) => item.Evidence.Select(e => e.Source).Order(StringComparer.Ordinal).ToArray();
}
