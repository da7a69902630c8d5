using System.Text.Json.Nodes;

namespace CarTCds.Cli.Tests.Evaluate;

internal static class CliRunner
{
    public static string Examples => Path.Combine(AppContext.BaseDirectory, "examples");

    public static string Example(string file) => Path.Combine(Examples, file);

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The findings of every card, flattened: code → value node.</summary>
    public static Dictionary<string, JsonNode?> Findings(string responseJson)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var card in JsonNode.Parse(responseJson)!["cards"]!.AsArray())
        {
            foreach (var f in card!["extension"]?["org.cartcds.findings"]?.AsArray() ?? [])
            {
                result[f!["code"]!.GetValue<string>()] = f["value"]?.DeepClone();
            }
        }
        return result;
    }

    /// <summary>The response with every uuid removed, for comparing two answers to the same data.</summary>
    public static JsonNode WithoutUuids(string responseJson)
    {
        var node = JsonNode.Parse(responseJson)!;
        Strip(node);
        return node;

        static void Strip(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    o.Remove("uuid");
                    foreach (var (_, v) in o.ToList()) Strip(v);
                    break;
                case JsonArray a:
                    foreach (var v in a) Strip(v);
                    break;
            }
        }
    }
}
