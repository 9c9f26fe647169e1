using JdMail.Actors.Outbound;
using JdMail.Actors.Spool;

namespace JdMail.Actors.Tests.Outbound;

public sealed class RetryAndStateTests
{
    [Fact]
    public void The_XMail_schedule_waits_480_s_then_grows_by_a_sixteenth_and_gives_up_after_32_retries()
    {
        var s = RetrySchedule.XMail;
        Assert.Equal(TimeSpan.FromSeconds(480), s.WaitAfter(1));
        Assert.Equal(TimeSpan.FromSeconds(510), s.WaitAfter(2));     // 480 + 480/16
        Assert.Equal(TimeSpan.FromSeconds(541), s.WaitAfter(3));     // 510 + 510/16 (integer division)
        Assert.InRange(s.WaitAfter(32).TotalMinutes, 51, 52);          // "up to about 51.6 min between tries"
        var total = Enumerable.Range(1, 32).Sum(i => s.WaitAfter(i).TotalHours);
        Assert.InRange(total, 12.5, 12.7);                            // "about 12.6 h in total"
        Assert.False(s.Expired(32));                                  // first try + 31 retries failed: one more to go
        Assert.True(s.Expired(33));
    }

    [Fact]
    public void Ratio_zero_keeps_the_wait_constant() =>
        Assert.Equal(TimeSpan.FromMilliseconds(250), new RetrySchedule(TimeSpan.FromMilliseconds(250), 0, 5).WaitAfter(4));

    private static OutboundState Fresh() => OutboundState.Initial(new SpoolEnvelope("m1", 0, "127.0.0.1", "h", "alice@a.test", null,
        "alice@a.test", [new("bob@a.test", "a.test", "bob"), new("x@r.test", null, null), new("y@r.test", null, null), new("z@q.test", null, null)]), 1000);

    [Fact]
    public void Only_remote_recipients_are_queued_and_outcomes_deliver_fail_or_reschedule_each_one()
    {
        var state = Fresh();
        Assert.Equal([1, 2, 3], state.Recipients.Select(r => r.Index));
        var retry = new RetrySchedule(TimeSpan.FromSeconds(10), 0, 1);
        var (s1, failed1) = state.Apply([
            new RecipientOutcome(1, "x@r.test", OutcomeKind.Delivered, "2.0.0", "250 ok", "mx"),
            new RecipientOutcome(2, "y@r.test", OutcomeKind.Permanent, "5.1.1", "550 no such user", "mx"),
            new RecipientOutcome(3, "z@q.test", OutcomeKind.Temporary, "4.4.1", "connection refused", "mx2"),
        ], retry, 5000);
        Assert.Equal([RecipientStatus.Delivered, RecipientStatus.Failed, RecipientStatus.Pending], s1.Recipients.Select(r => r.Status));
        Assert.Equal("y@r.test", Assert.Single(failed1).Address);
        Assert.Equal(15000, s1.NextDueUnixMs);
        Assert.Empty(s1.DueAt(14999));
        Assert.False(s1.Finished);

        var (s2, failed2) = s1.Apply([new RecipientOutcome(3, "z@q.test", OutcomeKind.Temporary, "4.4.1", "connection refused", "mx2")], retry, 15000);
        var expired = Assert.Single(failed2);
        Assert.Contains("gave up after 2 tries", expired.Detail);
        Assert.True(s2.Finished);
        Assert.True(s2.AnyFailed);

        var again = s2.Resubmitted(20000);
        Assert.Equal([RecipientStatus.Delivered, RecipientStatus.Pending, RecipientStatus.Pending], again.Recipients.Select(r => r.Status));
        Assert.All(again.Recipients.Where(r => r.Status == RecipientStatus.Pending), r => Assert.Equal(0, r.Tries));
    }

    [Fact]
    public void State_survives_a_round_trip_through_its_file_form_even_with_tabs_and_line_breaks_in_remote_text()
    {
        var (s, _) = Fresh().Apply([new RecipientOutcome(2, "y@r.test", OutcomeKind.Temporary, "4.0.0", "451 busy\tnow\r\nINJECTED", "mx")],
            RetrySchedule.XMail, 1000);
        var text = s.Serialize();
        var back = OutboundState.Parse(text);
        Assert.Equal(s.Id, back.Id);
        Assert.Equal(s.Recipients.Select(r => r with { LastError = r.LastError is null ? null : OutboundState.Clean(r.LastError) }), back.Recipients);
        Assert.Equal("451 busy now  INJECTED", back.Recipients[1].LastError);
        Assert.Equal(4, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
    }

    [Theory]
    [InlineData("20261203abc")]
    [InlineData("a.b-c_d")]
    public void Queue_ids_made_of_safe_characters_are_accepted(string id) => Assert.True(OutboundStore.ValidId(id));

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void Queue_ids_that_could_name_another_file_are_refused(string id) => Assert.False(OutboundStore.ValidId(id));
}
