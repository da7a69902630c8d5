using System.Net;
using System.Text.Json;
using CarTCds.Hooks.Cards;
using CarTCds.Hooks.Contract;
using CarTCds.Service.Storage;
using CarTCds.Service.Tests.Storage;
using CarTCds.Service.Tests.TestSupport;

namespace CarTCds.Service.Tests.Feedback;

/// <summary>Feedback is kept: stored durably with the card it refers to, across restarts, on each
/// database the service supports. Each run has a database (file or schema) of its own.</summary>
public abstract class FeedbackPersistenceContract
{
    private const string Toxicity = "cart-toxicity";
    private const string FeedbackPath = "/cds-services/cart-toxicity/feedback";

    /// <summary>A fresh, empty database; its settings; disposing it removes it.</summary>
    protected abstract Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync();

    internal static Card TestCard(string topic, params (string Code, FindingValue Value)[] findings) =>
        CardFactory.Create("A test card", CardIndicator.Warning, "detail", topic, topic, "Test guideline",
            new Link { Label = "Guideline", Url = "https://example.org/guideline" }, [],
            findings.Select(f => new FindingRecord
            {
                Code = f.Code,
                Value = f.Value,
                RuleSet = "cartcds@test",
                Evidence = ["Observation/obs-evidence-1"],
                Reasons = ["temperature 39.5 °C at 2013-05-19T08:00:00Z"],
            }));

    private static async Task PostAsync(StorageHost host, params string[] entries)
    {
        var response = await host.Client.PostJsonAsync(FeedbackPath, FeedbackJson.Body(entries));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"HTTP {(int)response.StatusCode}: {text}");
        Assert.Equal($$"""{"accepted":{{entries.Length}}}""", text);
    }

    [Fact]
    public async Task GivenAcknowledgedFeedback_WhenTheServiceRestarts_ThenEveryEntryIsStillThereAsSent()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        var accepted = Guid.NewGuid().ToString();
        var overridden = Guid.NewGuid().ToString();
        await using (var first = await StorageHost.StartAsync(settings))
        {
            await PostAsync(first,
                FeedbackJson.Accepted(accepted, suggestion: "sugg-1"),
                FeedbackJson.Overridden(overridden, "already-managed", "Tocilizumab given at 10:00"));
        }

        // Act
        await using var second = await StorageHost.StartAsync(settings);
        var a = Assert.Single(await second.Feedback.ListForCardAsync(Toxicity, accepted, CancellationToken.None));
        var o = Assert.Single(await second.Feedback.ListForCardAsync(Toxicity, overridden, CancellationToken.None));

        // Assert
        Assert.Equal("accepted", a.Entry.Outcome);
        Assert.Equal("sugg-1", Assert.Single(a.Entry.AcceptedSuggestions!).Id);
        Assert.Null(a.Entry.OverrideReason);
        Assert.Equal("2013-05-19T12:05:00Z", a.Entry.OutcomeTimestamp);
        Assert.Equal(CarTCdsWebApplicationFactory.FixedInstant, a.ReceivedAt);
        Assert.Equal("overridden", o.Entry.Outcome);
        Assert.Null(o.Entry.AcceptedSuggestions);
        Assert.Equal(FeedbackJson.ReasonSystem, o.Entry.OverrideReason!.Reason!.System);
        Assert.Equal("already-managed", o.Entry.OverrideReason.Reason.Code);
        Assert.Equal("already-managed shown", o.Entry.OverrideReason.Reason.Display);
        Assert.Equal("Tocilizumab given at 10:00", o.Entry.OverrideReason.UserComment);
        Assert.Equal("2013-05-19T12:06:00+02:00", o.Entry.OutcomeTimestamp);
        Assert.True(a.Id < o.Id, "entries keep the order they were received in");
    }

    [Fact]
    public async Task GivenTheSameCardReportedTwiceAtDifferentTimes_WhenTheServiceRestarts_ThenBothReportsAreKeptInOrder()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        var card = Guid.NewGuid().ToString();
        await using (var first = await StorageHost.StartAsync(settings))
        {
            await PostAsync(first, FeedbackJson.Overridden(card, comment: "first look", at: "2013-05-19T12:06:00+02:00"));
            await PostAsync(first, FeedbackJson.Overridden(card, comment: "second look", at: "2013-05-19T12:30:00+02:00"));
        }

        // Act
        await using var second = await StorageHost.StartAsync(settings);
        var stored = await second.Feedback.ListForCardAsync(Toxicity, card, CancellationToken.None);

        // Assert
        Assert.Equal(["first look", "second look"], stored.Select(s => s.Entry.OverrideReason!.UserComment));
        Assert.All(stored, s => Assert.Null(s.Entry.OverrideReason!.Reason));
    }

    [Fact]
    public async Task GivenACardTheServiceIssued_WhenFeedbackOnItArrives_ThenItIsStoredWithThatCard()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        var card = TestCard("crs-grade", ("crs-grade", FindingValue.Of(3)), ("tocilizumab-dose-mg", FindingValue.Of(560)));
        await using (var first = await StorageHost.StartAsync(settings))
        {
            await first.Cards.RememberAsync(Toxicity, "cartcds@1.0.0", [card], CancellationToken.None);
            await PostAsync(first, FeedbackJson.Overridden(card.Uuid!, "clinical-judgement"));
        }

        // Act
        await using var second = await StorageHost.StartAsync(settings);
        var stored = Assert.Single(await second.Feedback.ListForCardAsync(Toxicity, card.Uuid!, CancellationToken.None));

        // Assert
        Assert.True(stored.CardKnownOnReceipt);
        var issued = Assert.IsType<Service.Feedback.IssuedCard>(stored.Card);
        Assert.Equal(card.Uuid, issued.CardUuid);
        Assert.Equal(Toxicity, issued.ServiceId);
        Assert.Equal("cartcds@1.0.0", issued.RuleSet);
        Assert.Equal("crs-grade", issued.CardType);
        Assert.Equal("crs-grade", issued.TopicCode);
        Assert.Equal("warning", issued.Indicator);
        Assert.Equal(["crs-grade", "tocilizumab-dose-mg"], issued.FindingCodes);
        using var findings = JsonDocument.Parse(issued.FindingsJson);
        Assert.Equal([("crs-grade", 3m), ("tocilizumab-dose-mg", 560m)],
            findings.RootElement.EnumerateArray().Select(f => (f.GetProperty("code").GetString()!, f.GetProperty("value").GetDecimal())));
        Assert.DoesNotContain("obs-evidence-1", issued.FindingsJson, StringComparison.Ordinal);
        Assert.DoesNotContain("2013-05-19", issued.FindingsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenACardTheServiceDoesNotKnow_WhenFeedbackArrives_ThenItIsStoredFlaggedUnknownAndJoinedOnceTheCardIsRegistered()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        var card = TestCard("icans-grade", ("icans-grade", FindingValue.Of(2)));
        await using var host = await StorageHost.StartAsync(settings);

        // Act
        await PostAsync(host, FeedbackJson.Overridden(card.Uuid!, "data-error"));
        var before = Assert.Single(await host.Feedback.ListForCardAsync(Toxicity, card.Uuid!, CancellationToken.None));
        await host.Cards.RememberAsync(Toxicity, "cartcds@1.0.0", [card], CancellationToken.None); // e.g. another replica, late
        var after = Assert.Single(await host.Feedback.ListForCardAsync(Toxicity, card.Uuid!, CancellationToken.None));

        // Assert
        Assert.False(before.CardKnownOnReceipt);
        Assert.Null(before.Card);
        Assert.False(after.CardKnownOnReceipt);
        Assert.Equal("icans-grade", after.Card?.CardType);
    }

    [Fact]
    public async Task GivenACardIssuedByAnotherService_WhenFeedbackArrivesHere_ThenItIsNotJoinedToThatCard()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        var card = TestCard("order-check", ("order-check", FindingValue.Of("dose-too-high")));
        await using var host = await StorageHost.StartAsync(settings);
        await host.Cards.RememberAsync("cart-order-check", "cartcds@1.0.0", [card], CancellationToken.None);

        // Act
        await PostAsync(host, FeedbackJson.Overridden(card.Uuid!));
        var stored = Assert.Single(await host.Feedback.ListForCardAsync(Toxicity, card.Uuid!, CancellationToken.None));

        // Assert
        Assert.False(stored.CardKnownOnReceipt);
        Assert.Null(stored.Card);
    }

    [Fact]
    public async Task GivenFeedbackOnSeveralCardTypes_WhenTheSummaryIsRequested_ThenEachTypeHasItsOverrideRateCountsAndTopReasons()
    {
        // Arrange: CRS cards: 1 accepted, 4 overridden (2 already-managed, 1 data-error, 1 without reason);
        // an ICANS card: 1 accepted; 2 cards nobody registered overridden (one of them sent twice, as a retry).
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings);
        var crs = Enumerable.Range(0, 5).Select(_ => TestCard("crs-grade", ("crs-grade", FindingValue.Of(2)), ("iec-hs", FindingValue.Of("negative")))).ToList();
        var icans = TestCard("icans-grade", ("icans-grade", FindingValue.Of(1)));
        await host.Cards.RememberAsync(Toxicity, "cartcds@1.0.0", [.. crs, icans], CancellationToken.None);
        var unknown = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        await PostAsync(host,
            FeedbackJson.Accepted(crs[0].Uuid!),
            FeedbackJson.Overridden(crs[1].Uuid!, "already-managed"),
            FeedbackJson.Overridden(crs[2].Uuid!, "already-managed"),
            FeedbackJson.Overridden(crs[3].Uuid!, "data-error"),
            FeedbackJson.Overridden(crs[4].Uuid!, comment: "no coded reason"),
            FeedbackJson.Accepted(icans.Uuid!),
            FeedbackJson.Overridden(unknown[0], "clinical-judgement"),
            FeedbackJson.Overridden(unknown[1], "clinical-judgement"));
        await PostAsync(host, FeedbackJson.Overridden(unknown[1], "clinical-judgement"));

        // Act
        var response = await host.Client.GetAsync(new Uri("/admin/feedback/summary", UriKind.Relative));

        // Assert
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        var lines = doc.RootElement.GetProperty("cardTypes").EnumerateArray().ToList();
        Assert.Equal(3, lines.Count);

        var crsLine = lines[0]; // busiest first
        Assert.Equal("cart-toxicity", crsLine.GetProperty("service").GetString());
        Assert.Equal("crs-grade", crsLine.GetProperty("cardType").GetString());
        Assert.True(crsLine.GetProperty("cardKnown").GetBoolean());
        Assert.Equal(["crs-grade", "iec-hs"], crsLine.GetProperty("findingCodes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(5, crsLine.GetProperty("cardsIssued").GetInt64());
        Assert.Equal(5, crsLine.GetProperty("feedback").GetInt64());
        Assert.Equal(5, crsLine.GetProperty("reports").GetInt64());
        Assert.Equal(1, crsLine.GetProperty("accepted").GetInt64());
        Assert.Equal(4, crsLine.GetProperty("overridden").GetInt64());
        Assert.Equal(0.8, crsLine.GetProperty("overrideRate").GetDouble());
        Assert.Equal(1, crsLine.GetProperty("overriddenWithoutReason").GetInt64());
        Assert.Equal([("already-managed", 2L), ("data-error", 1L)],
            crsLine.GetProperty("topOverrideReasons").EnumerateArray().Select(r => (r.GetProperty("code").GetString()!, r.GetProperty("count").GetInt64())));
        Assert.Equal("already-managed shown", crsLine.GetProperty("topOverrideReasons")[0].GetProperty("display").GetString());

        var unknownLine = lines[1];
        Assert.False(unknownLine.GetProperty("cardKnown").GetBoolean());
        Assert.False(unknownLine.TryGetProperty("cardType", out var noType), $"the unknown-card line has no card type, not {noType}");
        Assert.Equal(2, unknownLine.GetProperty("overridden").GetInt64());
        Assert.Equal(2, unknownLine.GetProperty("reports").GetInt64());
        Assert.Equal(1.0, unknownLine.GetProperty("overrideRate").GetDouble());

        var icansLine = lines[2];
        Assert.Equal("icans-grade", icansLine.GetProperty("cardType").GetString());
        Assert.Equal(1, icansLine.GetProperty("accepted").GetInt64());
        Assert.Equal(0.0, icansLine.GetProperty("overrideRate").GetDouble());
        Assert.Empty(icansLine.GetProperty("topOverrideReasons").EnumerateArray());
    }

    [Fact]
    public async Task GivenCardsIssuedButNoFeedback_WhenTheSummaryIsRequested_ThenTheTypeIsListedWithoutARate()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings);
        await host.Cards.RememberAsync("cart-eligibility", "cartcds@1.0.0", [TestCard("eligibility", ("eligibility", FindingValue.Of("eligible")))], CancellationToken.None);

        // Act
        var response = await host.Client.GetAsync(new Uri("/admin/feedback/summary", UriKind.Relative));

        // Assert
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var line = Assert.Single(doc.RootElement.GetProperty("cardTypes").EnumerateArray());
        Assert.Equal("eligibility", line.GetProperty("cardType").GetString());
        Assert.Equal(1, line.GetProperty("cardsIssued").GetInt64());
        Assert.Equal(0, line.GetProperty("feedback").GetInt64());
        Assert.False(line.TryGetProperty("overrideRate", out var rate), $"no feedback → no rate, not {rate}");
    }

    [Fact]
    public async Task GivenAnAcknowledgementLost_WhenTheClientSendsTheSameFeedbackAgain_ThenBothGet200AndOneRowIsStored()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings);
        var card = Guid.NewGuid().ToString();
        var entry = FeedbackJson.Overridden(card, "already-managed", "Tocilizumab given at 10:00");

        // Act
        await PostAsync(host, entry);
        await PostAsync(host, entry);

        // Assert
        var stored = Assert.Single(await host.Feedback.ListForCardAsync(Toxicity, card, CancellationToken.None));
        Assert.Equal("Tocilizumab given at 10:00", stored.Entry.OverrideReason!.UserComment);
    }

    [Fact]
    public async Task GivenTheSameFeedbackRetriedConcurrently_WhenAllArrive_ThenEachGets200AndOneRowIsStored()
    {
        // Arrange: retries racing each other (two replicas, or a client that retried too early).
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings);
        var card = Guid.NewGuid().ToString();
        var body = FeedbackJson.Body(FeedbackJson.Accepted(card));

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => host.Client.PostJsonAsync(FeedbackPath, body))));

        // Assert
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(await host.Feedback.ListForCardAsync(Toxicity, card, CancellationToken.None));
    }

    [Fact]
    public async Task GivenTheSameEntryTwiceInOneRequest_WhenPosted_Then200AndOneRow()
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings);
        var card = Guid.NewGuid().ToString();

        // Act
        await PostAsync(host, FeedbackJson.Accepted(card), FeedbackJson.Accepted(card));

        // Assert
        Assert.Single(await host.Feedback.ListForCardAsync(Toxicity, card, CancellationToken.None));
    }

    /// <summary>The rule of the summary: per card, the report with the latest outcomeTimestamp (as
    /// an instant) counts; of equal instants, the one received last. Boundary rows: one minute
    /// either side of the other report, and the same instant written with another offset, in both
    /// orders of receipt.</summary>
    public static TheoryData<string, string, string, string, string> LatestOutcomeRows => new()
    {
        // first sent (outcome, timestamp), then sent (outcome, timestamp), outcome counted
        { "accepted", "2013-05-19T12:05:00Z", "overridden", "2013-05-19T12:06:00Z", "overridden" },
        { "accepted", "2013-05-19T12:05:00Z", "overridden", "2013-05-19T12:04:00Z", "accepted" },
        { "overridden", "2013-05-19T12:06:00Z", "accepted", "2013-05-19T12:05:00Z", "overridden" },
        { "accepted", "2013-05-19T12:05:00Z", "overridden", "2013-05-19T12:06:00+02:00", "accepted" },
        { "accepted", "2013-05-19T12:05:00Z", "overridden", "2013-05-19T14:05:00+02:00", "overridden" },
        { "overridden", "2013-05-19T14:05:00+02:00", "accepted", "2013-05-19T12:05:00Z", "accepted" },
    };

    [Theory]
    [MemberData(nameof(LatestOutcomeRows))]
    public async Task GivenACardReportedTwiceWithDifferentOutcomes_WhenSummarised_ThenItCountsOnceAsItsLatestOutcome(
        string firstOutcome, string firstAt, string secondOutcome, string secondAt, string counted)
    {
        // Arrange
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        await using var host = await StorageHost.StartAsync(settings);
        var card = TestCard("crs-grade", ("crs-grade", FindingValue.Of(2)));
        await host.Cards.RememberAsync(Toxicity, "cartcds@1.0.0", [card], CancellationToken.None);
        static string Entry(string card, string outcome, string at) =>
            outcome == "accepted" ? FeedbackJson.Accepted(card, at: at) : FeedbackJson.Overridden(card, "already-managed", at: at);
        await PostAsync(host, Entry(card.Uuid!, firstOutcome, firstAt));
        await PostAsync(host, Entry(card.Uuid!, secondOutcome, secondAt));

        // Act
        var response = await host.Client.GetAsync(new Uri("/admin/feedback/summary", UriKind.Relative));

        // Assert
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var line = Assert.Single(doc.RootElement.GetProperty("cardTypes").EnumerateArray());
        Assert.Equal(1, line.GetProperty("feedback").GetInt64());
        Assert.Equal(2, line.GetProperty("reports").GetInt64());
        Assert.Equal(counted == "accepted" ? 1 : 0, line.GetProperty("accepted").GetInt64());
        Assert.Equal(counted == "overridden" ? 1 : 0, line.GetProperty("overridden").GetInt64());
        Assert.Equal(counted == "overridden" ? 1 : 0, line.GetProperty("topOverrideReasons").EnumerateArray().Sum(r => r.GetProperty("count").GetInt64()));
    }

    [Fact]
    public async Task GivenADatabaseOfSchema3WithARetriedReportStoredTwice_WhenMigrated_ThenTheFirstRowIsKeptAndRetriesAreStoredOnce()
    {
        // Arrange: the schema as the release before idempotent feedback left it, with a report stored twice.
        var (settings, cleanup) = await NewDatabaseAsync();
        await using var _ = cleanup;
        var card = Guid.NewGuid().ToString();
        await using (var old = OpenDatabase(settings))
        {
            await StorageMigrations.ApplyAsync(old, CancellationToken.None, upTo: 3);
            var connection = await old.OpenRawAsync(CancellationToken.None);
            await using (connection)
            {
                foreach (var comment in new[] { "as first sent", "as retried" })
                {
                    using var insert = connection.CreateCommand();
                    insert.CommandText = """
                        INSERT INTO feedback (service_id, card_uuid, card_known_on_receipt, outcome, override_user_comment, outcome_timestamp, received_at)
                        VALUES ('cart-toxicity', @card, @known, 'overridden', @comment, '2013-05-19T12:06:00Z', @at)
                        """;
                    StorageDatabase.Add(insert, "card", card);
                    StorageDatabase.Add(insert, "known", false);
                    StorageDatabase.Add(insert, "comment", comment);
                    old.AddTimestamp(insert, "at", CarTCdsWebApplicationFactory.FixedInstant);
                    await insert.ExecuteNonQueryAsync();
                }
            }
        }

        // Act
        await using var host = await StorageHost.StartAsync(settings);
        var afterMigration = await host.Feedback.ListForCardAsync(Toxicity, card, CancellationToken.None);
        await PostAsync(host, FeedbackJson.Overridden(card, comment: "retried once more", at: "2013-05-19T12:06:00Z"));

        // Assert
        var kept = Assert.Single(afterMigration);
        Assert.Equal("as first sent", kept.Entry.OverrideReason!.UserComment);
        Assert.Equal("as first sent", Assert.Single(await host.Feedback.ListForCardAsync(Toxicity, card, CancellationToken.None)).Entry.OverrideReason!.UserComment);
    }

    private static StorageDatabase OpenDatabase(IReadOnlyDictionary<string, string?> settings) =>
        settings["CarTCds:Storage:Provider"] == "PostgreSql"
            ? new PostgreSqlStorageDatabase(settings["CarTCds:Storage:PostgreSql:ConnectionString"]!)
            : new SqliteStorageDatabase(settings["CarTCds:Storage:Sqlite:Path"]!);
}

/// <summary>The contract on the default database: a SQLite file.</summary>
public sealed class SqliteFeedbackPersistenceTests : FeedbackPersistenceContract
{
    protected override Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync()
    {
        var file = new TempSqliteFile();
        return Task.FromResult<(IReadOnlyDictionary<string, string?>, IAsyncDisposable)>((file.Settings, file));
    }
}

/// <summary>The contract on a real PostgreSQL server (<see cref="TestPostgres.Variable"/>); fails
/// when none is configured.</summary>
public sealed class PostgreSqlFeedbackPersistenceTests : FeedbackPersistenceContract
{
    protected override async Task<(IReadOnlyDictionary<string, string?> Settings, IAsyncDisposable Cleanup)> NewDatabaseAsync()
    {
        var schema = await TempPostgresSchema.CreateAsync();
        return (schema.Settings, schema);
    }
}
