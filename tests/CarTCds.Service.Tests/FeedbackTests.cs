using System.Net;
using CarTCds.Service.Feedback;
using CarTCds.Service.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace CarTCds.Service.Tests;

/// <summary>POST /cds-services/{id}/feedback (CDS Hooks 2.0 §Feedback).</summary>
[Collection(CarTCdsServiceCollection.Name)]
public sealed class FeedbackTests(CarTCdsWebApplicationFactory factory)
{
    private const string FeedbackPath = "/cds-services/cart-toxicity/feedback";
    private readonly HttpClient _client = factory.CreateClient();

    private async Task<IReadOnlyList<StoredFeedback>> StoredAsync(string serviceId, string card)
    {
        var store = factory.Services.GetRequiredService<IFeedbackStore>();
        return (await store.ListAsync(serviceId, CancellationToken.None)).Where(f => f.Entry.Card == card).ToList();
    }

    [Fact]
    public async Task GivenAnAcceptedAndAnOverriddenEntry_WhenFeedbackIsPosted_Then200AndBothAreStored()
    {
        // Arrange
        var accepted = Guid.NewGuid().ToString();
        var overridden = Guid.NewGuid().ToString();
        var body = $$"""
            {"feedback":[
              {"card":"{{accepted}}","outcome":"accepted",
               "acceptedSuggestions":[{"id":"e56e1945-20b3-4393-8503-a1a20fd73152"}],
               "outcomeTimestamp":"2013-05-19T12:05:00Z"},
              {"card":"{{overridden}}","outcome":"overridden",
               "overrideReason":{"reason":{"system":"http://cartcds.org/fhir/CodeSystem/cartcds-override-reason","code":"already-managed","display":"Already recognised and being managed"},
                                 "userComment":"Tocilizumab given at 10:00"},
               "outcomeTimestamp":"2013-05-19T14:06:00+02:00"}
            ]}
            """;

        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, body);

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"accepted":2}""", text);

        var a = Assert.Single(await StoredAsync("cart-toxicity", accepted));
        Assert.Equal("accepted", a.Entry.Outcome);
        Assert.Equal("e56e1945-20b3-4393-8503-a1a20fd73152", Assert.Single(a.Entry.AcceptedSuggestions!).Id);
        Assert.Equal("2013-05-19T12:05:00Z", a.Entry.OutcomeTimestamp);
        Assert.Equal(CarTCdsWebApplicationFactory.FixedInstant, a.ReceivedAt);

        var o = Assert.Single(await StoredAsync("cart-toxicity", overridden));
        Assert.Equal("overridden", o.Entry.Outcome);
        Assert.Equal("already-managed", o.Entry.OverrideReason!.Reason!.Code);
        Assert.Equal("Tocilizumab given at 10:00", o.Entry.OverrideReason.UserComment);
        Assert.Null(o.Entry.AcceptedSuggestions);
    }

    [Fact]
    public async Task GivenAnOverriddenEntryWithoutReason_WhenFeedbackIsPosted_Then200()
    {
        // Arrange: overrideReason is optional.
        var card = Guid.NewGuid().ToString();
        var body = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""";

        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"accepted":1}""", await response.Content.ReadAsStringAsync());
        Assert.Single(await StoredAsync("cart-toxicity", card));
    }

    [Fact]
    public async Task GivenTheSameCardReportedTwice_WhenFeedbackIsPosted_ThenBothReportsAreKept()
    {
        // Arrange
        var card = Guid.NewGuid().ToString();
        var first = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","overrideReason":{"userComment":"first look"},"outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""";
        var second = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","overrideReason":{"userComment":"second look"},"outcomeTimestamp":"2013-05-19T12:30:00Z"}]}""";

        // Act
        var r1 = await _client.PostJsonAsync(FeedbackPath, first);
        var r2 = await _client.PostJsonAsync(FeedbackPath, second);

        // Assert
        Assert.Equal(HttpStatusCode.OK, r1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, r2.StatusCode);
        var stored = await StoredAsync("cart-toxicity", card);
        Assert.Equal(2, stored.Count);
        Assert.Equal(["first look", "second look"], stored.Select(s => s.Entry.OverrideReason!.UserComment));
    }

    [Fact]
    public async Task GivenFeedbackForAnotherService_WhenPosted_ThenItIsStoredUnderThatService()
    {
        // Arrange
        var card = Guid.NewGuid().ToString();
        var body = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:05:00Z"}]}""";

        // Act
        var response = await _client.PostJsonAsync("/cds-services/cart-order-check/feedback", body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await StoredAsync("cart-order-check", card));
        Assert.Empty(await StoredAsync("cart-toxicity", card));
    }

    [Fact]
    public async Task GivenAnExtensionInTheFeedback_WhenPosted_ThenItIsAccepted()
    {
        // Arrange
        var card = Guid.NewGuid().ToString();
        var body = $$"""{"extension":{"com.example":1},"feedback":[{"card":"{{card}}","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:05:00Z","extension":{"com.example":2} }]}""";

        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, body);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await StoredAsync("cart-toxicity", card));
    }

    private const string Ts = "\"outcomeTimestamp\":\"2013-05-19T12:05:00Z\"";

    public static TheoryData<string, string, string, string> InvalidFeedback => new()
    {
        { "no feedback member", "{}", "feedback", "'feedback' must be a non-empty array" },
        { "empty feedback array", """{"feedback":[]}""", "feedback", "'feedback' must be a non-empty array" },
        { "feedback null", """{"feedback":null}""", "feedback", "'feedback' must be a non-empty array" },
        { "missing card", $$"""{"feedback":[{"outcome":"overridden",{{Ts}}}]}""", "feedback[0].card", "'card' (the uuid of the card) is required" },
        { "missing outcome", $$"""{"feedback":[{"card":"c1",{{Ts}}}]}""", "feedback[0].outcome", "'outcome' is required" },
        { "outcome maybe", $$"""{"feedback":[{"card":"c1","outcome":"maybe",{{Ts}}}]}""", "feedback[0].outcome", "not 'maybe'" },
        { "accepted without acceptedSuggestions", $$"""{"feedback":[{"card":"c1","outcome":"accepted",{{Ts}}}]}""", "feedback[0].acceptedSuggestions", "required when the outcome is 'accepted'" },
        { "accepted with empty acceptedSuggestions", $$"""{"feedback":[{"card":"c1","outcome":"accepted","acceptedSuggestions":[],{{Ts}}}]}""", "feedback[0].acceptedSuggestions", "required when the outcome is 'accepted'" },
        { "accepted suggestion without id", $$"""{"feedback":[{"card":"c1","outcome":"accepted","acceptedSuggestions":[{}],{{Ts}}}]}""", "feedback[0].acceptedSuggestions", "needs its 'id'" },
        { "accepted with overrideReason", $$"""{"feedback":[{"card":"c1","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],"overrideReason":{"userComment":"x"},{{Ts}}}]}""", "feedback[0].overrideReason", "only allowed when the outcome is 'overridden'" },
        { "overridden with acceptedSuggestions", $$"""{"feedback":[{"card":"c1","outcome":"overridden","acceptedSuggestions":[{"id":"s1"}],{{Ts}}}]}""", "feedback[0].acceptedSuggestions", "only allowed when the outcome is 'accepted'" },
        { "override reason without system", $$"""{"feedback":[{"card":"c1","outcome":"overridden","overrideReason":{"reason":{"code":"x"} },{{Ts}}}]}""", "feedback[0].overrideReason.reason", "system and code" },
        { "missing outcomeTimestamp", """{"feedback":[{"card":"c1","outcome":"overridden"}]}""", "feedback[0].outcomeTimestamp", "'outcomeTimestamp' is required" },
        { "outcomeTimestamp without zone", """{"feedback":[{"card":"c1","outcome":"overridden","outcomeTimestamp":"2013-05-19T12:05:00"}]}""", "feedback[0].outcomeTimestamp", "with a time zone" },
        { "outcomeTimestamp a date", """{"feedback":[{"card":"c1","outcome":"overridden","outcomeTimestamp":"2013-05-19"}]}""", "feedback[0].outcomeTimestamp", "with a time zone" },
        { "outcomeTimestamp not a date", """{"feedback":[{"card":"c1","outcome":"overridden","outcomeTimestamp":"yesterday"}]}""", "feedback[0].outcomeTimestamp", "with a time zone" },
        { "second entry bad", $$"""{"feedback":[{"card":"c1","outcome":"overridden",{{Ts}}},{"card":"c2","outcome":"rejected",{{Ts}}}]}""", "feedback[1].outcome", "not 'rejected'" },
    };

    [Theory]
    [MemberData(nameof(InvalidFeedback))]
    public async Task GivenInvalidFeedback_WhenPosted_Then400NamingTheField(string name, string body, string expression, string diagnostics)
    {
        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, body);

        // Assert
        Assert.False(string.IsNullOrEmpty(name));
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", expression, diagnostics);
    }

    [Fact]
    public async Task GivenInvalidFeedback_WhenPosted_ThenNothingIsStored()
    {
        // Arrange: the first entry is valid, the second is not: all or nothing.
        var card = Guid.NewGuid().ToString();
        var body = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden",{{Ts}}},{"card":"{{card}}","outcome":"maybe",{{Ts}}}]}""";

        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "feedback[1].outcome", "not 'maybe'");
        Assert.Empty(await StoredAsync("cart-toxicity", card));
    }

    [Fact]
    public async Task GivenSeveralErrors_WhenFeedbackIsPosted_ThenEachIsAnIssue()
    {
        // Arrange
        var body = """{"feedback":[{"outcome":"maybe"}]}""";

        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, body);

        // Assert
        var outcome = await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "feedback[0].card", "'card'");
        var expressions = outcome.GetProperty("issue").EnumerateArray().Select(i => i.GetProperty("expression")[0].GetString()).ToList();
        Assert.Equal(["feedback[0].card", "feedback[0].outcome", "feedback[0].outcomeTimestamp"], expressions);
    }

    [Fact]
    public async Task GivenMalformedJson_WhenFeedbackIsPosted_Then400Structure()
    {
        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, """{"feedback":[{"card":"c1" """);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "structure", null, "not valid");
    }

    [Fact]
    public async Task GivenAnEmptyBody_WhenFeedbackIsPosted_Then400()
    {
        // Act
        var response = await _client.PostBytesAsync(FeedbackPath, []);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.BadRequest, "invalid", "feedback", "'feedback' must be a non-empty array");
    }

    [Fact]
    public async Task GivenTextPlain_WhenFeedbackIsPosted_Then415()
    {
        // Act
        var response = await _client.PostJsonAsync(FeedbackPath, """{"feedback":[]}""", "text/plain");

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.UnsupportedMediaType, "not-supported", null, "Content-Type must be application/json");
    }

    [Fact]
    public async Task GivenAnUnknownService_WhenFeedbackIsPosted_Then404()
    {
        // Arrange
        var body = $$"""{"feedback":[{"card":"c1","outcome":"overridden",{{Ts}}}]}""";

        // Act
        var response = await _client.PostJsonAsync("/cds-services/cart-nope/feedback", body);

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.NotFound, "not-found", null, "Unknown CDS service 'cart-nope'");
    }

    [Fact]
    public async Task GivenTheFeedbackRoute_WhenRequestedWithGet_Then405()
    {
        // Act
        var response = await _client.GetAsync(new Uri(FeedbackPath, UriKind.Relative));

        // Assert
        await response.AssertOperationOutcomeAsync(HttpStatusCode.MethodNotAllowed, "not-supported", null, "GET is not allowed");
    }
}
