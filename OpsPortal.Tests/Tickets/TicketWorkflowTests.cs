using OpsPortal.Core.Tickets;

namespace OpsPortal.Tests.Tickets;

public sealed class TicketWorkflowTests
{
    [Theory]
    [InlineData(TicketStatus.Open, TicketStatus.InProgress)]
    [InlineData(TicketStatus.InProgress, TicketStatus.Blocked)]
    [InlineData(TicketStatus.Blocked, TicketStatus.InProgress)]
    [InlineData(TicketStatus.InProgress, TicketStatus.Resolved)]
    [InlineData(TicketStatus.Open, TicketStatus.Resolved)]
    [InlineData(TicketStatus.Resolved, TicketStatus.Closed)]
    [InlineData(TicketStatus.Resolved, TicketStatus.Open)]
    [InlineData(TicketStatus.Closed, TicketStatus.Open)]
    public void CanMove_AllowedStep_IsAllowed(TicketStatus from, TicketStatus to) =>
        Assert.True(TicketWorkflow.CanMove(from, to));

    [Theory]
    [InlineData(TicketStatus.Open, TicketStatus.Closed)]
    [InlineData(TicketStatus.InProgress, TicketStatus.Closed)]
    [InlineData(TicketStatus.Closed, TicketStatus.Resolved)]
    [InlineData(TicketStatus.Closed, TicketStatus.InProgress)]
    [InlineData(TicketStatus.Resolved, TicketStatus.Blocked)]
    [InlineData(TicketStatus.Open, TicketStatus.Open)]
    public void CanMove_SkippedOrBackwardStep_IsRefused(TicketStatus from, TicketStatus to) =>
        Assert.False(TicketWorkflow.CanMove(from, to));

    [Fact]
    public void WorkflowRefusal_NamesTheAllowedMoves()
    {
        var refusal = TicketRefusals.Workflow(TicketStatus.Closed, TicketStatus.Resolved);

        Assert.Equal(OpsPortal.Core.RefusalKind.Unprocessable, refusal.Kind);
        Assert.Equal("A ticket cannot move from Closed to Resolved. From Closed it can go to: Open.", refusal.Detail);
    }

    [Theory]
    [InlineData(TicketStatus.Closed, TicketStatus.Open, "Reopen")]
    [InlineData(TicketStatus.Blocked, TicketStatus.InProgress, "Unblock")]
    [InlineData(TicketStatus.Open, TicketStatus.InProgress, "Start")]
    public void ActionLabel_NamesTheMove(TicketStatus from, TicketStatus to, string label) =>
        Assert.Equal(label, TicketWorkflow.ActionLabel(from, to));

    [Theory]
    [InlineData("ops-12", "OPS-12")]
    [InlineData(" OPS-7 ", "OPS-7")]
    [InlineData("OPS12", null)]
    [InlineData("OPS-", null)]
    [InlineData("<b>-1", null)]
    public void NormalizeKey_KeyShapedTextOnly(string text, string? expected) =>
        Assert.Equal(expected, TicketRules.NormalizeKey(text));

    [Theory]
    [InlineData("in_progress", true, TicketStatus.InProgress)]
    [InlineData("In progress", true, TicketStatus.InProgress)]
    [InlineData("closed", true, TicketStatus.Closed)]
    [InlineData("3", false, TicketStatus.Open)]
    [InlineData("done", false, TicketStatus.Open)]
    public void TryParseStatus_NamesOnly(string text, bool ok, TicketStatus expected)
    {
        Assert.Equal(ok, TicketRules.TryParseStatus(text, out var status));
        Assert.Equal(expected, status);
    }

    [Fact]
    public void NormalizeLabels_TrimsLowersDeduplicates_AndRefusesMarkup()
    {
        Assert.Null(TicketRules.NormalizeLabels([" DB ", "db", "on-call"], out var labels));
        Assert.Equal(["db", "on-call"], labels);
        Assert.NotNull(TicketRules.NormalizeLabels(["<script>"], out _));
    }
}

public sealed class TicketSearchHighlightTests
{
    [Fact]
    public void Highlight_EncodesTextAndTurnsOnlyMarkersIntoMarks() =>
        Assert.Equal("a &lt;script&gt; &amp; <mark>pool</mark>",
            OpsPortal.Core.Tickets.TicketSearch.Highlight("a <script> & \u0002pool\u0003"));
}
