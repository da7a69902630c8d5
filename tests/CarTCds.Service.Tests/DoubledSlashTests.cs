using System.Net;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests;

/// <summary>A discovery URL typed with a trailing slash makes a client call
/// <c>…/cds-services//{id}</c> (the official Sandbox appends <c>/{id}</c> to it): the doubled slash
/// is read as one, for hooks and for feedback (issue 17).</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class DoubledSlashTests(CarTCdsWebApplicationFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("/cds-services//cart-toxicity")]
    [InlineData("/cds-services///cart-toxicity")]
    public async Task GivenAHookPathWithDoubledSlashes_WhenCalled_Then200WithCards(string path)
    {
        using var response = await _client.PostJsonAsync(path, HookJson.Toxicity());

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var doc = await response.ReadJsonAsync();
        Assert.True(doc.RootElement.GetProperty("cards").GetArrayLength() > 0);
    }

    [Fact]
    public async Task GivenAFeedbackPathWithADoubledSlash_WhenPosted_Then200()
    {
        const string body = """{"feedback":[{"card":"9368d37b-283f-44a0-93ea-547cebab93ed","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:01:00Z"}]}""";

        using var response = await _client.PostJsonAsync("/cds-services//cart-toxicity/feedback", body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GivenAnUnknownServiceBehindADoubledSlash_WhenCalled_ThenStill404WithAnOperationOutcome()
    {
        using var response = await _client.PostJsonAsync("/cds-services//no-such-service", HookJson.Toxicity());

        await response.AssertOperationOutcomeAsync(HttpStatusCode.NotFound, "not-found", null, "Unknown CDS service 'no-such-service'");
    }
}
