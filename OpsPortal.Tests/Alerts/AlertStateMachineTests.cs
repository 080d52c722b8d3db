using OpsPortal.Core.Alerts;

namespace OpsPortal.Tests.Alerts;

public sealed class AlertStateMachineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static (AlertInstance I, List<List<AlertChange>> Changes) Run(int hardAfter, params AlertState[] results)
    {
        var i = new AlertInstance { Since = T0 };
        var changes = results.Select((r, n) => AlertStateMachine.Apply(i, r, hardAfter, T0.AddMinutes(n))).ToList();
        return (i, changes);
    }

    [Fact]
    public void Apply_NonOkBelowHardAfter_StaysSoftThenGoesHard()
    {
        var (i, changes) = Run(3, AlertState.Critical, AlertState.Critical);
        Assert.False(i.Hard);
        Assert.Equal((AlertState.Critical, AlertState.Ok, 2), (i.State, i.HardState, i.Attempt));
        Assert.Equal(AlertEventKinds.SoftChanged, Assert.Single(changes[0]).Kind);
        Assert.Empty(changes[1]);

        var third = AlertStateMachine.Apply(i, AlertState.Critical, 3, T0.AddMinutes(2));
        Assert.True(i.Hard);
        Assert.Equal((AlertState.Critical, T0.AddMinutes(2), T0), (i.HardState, i.Since, i.FirstFiringAt!.Value));
        Assert.Equal((AlertEventKinds.Fired, AlertState.Ok, AlertState.Critical), (third[0].Kind, third[0].From, third[0].To));
    }

    [Fact]
    public void Apply_SoftProblemThatClears_IsASoftRecoveryWithoutHardChange()
    {
        var (i, changes) = Run(3, AlertState.Warning, AlertState.Ok);
        Assert.Equal((AlertState.Ok, AlertState.Ok, true), (i.State, i.HardState, i.Hard));
        Assert.Null(i.FirstFiringAt);
        Assert.Equal(AlertEventKinds.SoftChanged, Assert.Single(changes[1]).Kind);
    }

    [Fact]
    public void Apply_HardProblemChangingSeverity_ChangesHardAtOnce()
    {
        var (i, changes) = Run(2, AlertState.Warning, AlertState.Warning, AlertState.Critical);
        Assert.Equal((AlertState.Critical, true), (i.HardState, i.Hard));
        Assert.Equal((AlertEventKinds.Fired, AlertState.Warning, AlertState.Critical), (changes[2][0].Kind, changes[2][0].From, changes[2][0].To));
        Assert.Equal(T0, i.FirstFiringAt);
    }

    [Fact]
    public void Apply_OkAfterHardProblem_RecoversAndClearsAcknowledgement()
    {
        var (i, _) = Run(1, AlertState.Critical);
        i.AcknowledgedAt = T0;
        i.AcknowledgedBy = "ann";
        var changes = AlertStateMachine.Apply(i, AlertState.Ok, 1, T0.AddMinutes(5));
        Assert.Equal(AlertEventKinds.Recovered, changes[0].Kind);
        Assert.Equal((AlertState.Ok, T0.AddMinutes(5)), (i.HardState, i.Since));
        Assert.Null(i.AcknowledgedAt);
        Assert.Null(i.FirstFiringAt);
    }

    [Fact]
    public void Apply_Unknown_IsAProblemStateLikeTheOthers()
    {
        var (i, changes) = Run(1, AlertState.Unknown);
        Assert.Equal(AlertState.Unknown, i.HardState);
        Assert.Equal(AlertState.Unknown, changes[0][0].To);
    }

    [Fact]
    public void Apply_AlternatingResults_StartFlappingThenStopWhenSteady()
    {
        var results = Enumerable.Range(0, 14).Select(n => n % 2 == 0 ? AlertState.Critical : AlertState.Ok).ToArray();
        var (i, changes) = Run(1, results);
        Assert.True(i.Flapping);
        Assert.Single(changes.SelectMany(c => c), c => c.Kind == AlertEventKinds.FlappingStarted);

        var stopped = Enumerable.Range(0, 21).SelectMany(n => AlertStateMachine.Apply(i, AlertState.Ok, 1, T0.AddHours(1).AddMinutes(n))).ToList();
        Assert.False(i.Flapping);
        Assert.Single(stopped, c => c.Kind == AlertEventKinds.FlappingStopped);
    }

    [Fact]
    public void ChangeShare_CountsChangesOverTheWindow() =>
        Assert.Equal(3.0 / (AlertStateMachine.FlapWindow - 1), AlertStateMachine.ChangeShare("OOCCOOW"));

    [Fact]
    public void Decide_Problem_Repeat_Ack_Recovery_SilenceAndFlapping()
    {
        var i = new AlertInstance { Hard = true, HardState = AlertState.Critical };
        var repeat = TimeSpan.FromMinutes(10);
        Assert.Equal(NotificationKind.Problem, AlertNotifyPolicy.Decide(i, false, repeat, T0));
        Assert.Null(AlertNotifyPolicy.Decide(i, silenced: true, repeat, T0));
        i.NotifiedState = AlertState.Critical;
        i.NotifiedAt = T0;
        Assert.Null(AlertNotifyPolicy.Decide(i, false, repeat, T0.AddMinutes(9)));
        Assert.Equal(NotificationKind.Repeat, AlertNotifyPolicy.Decide(i, false, repeat, T0.AddMinutes(10)));
        i.AcknowledgedAt = T0;
        Assert.Null(AlertNotifyPolicy.Decide(i, false, repeat, T0.AddMinutes(30)));
        i.Flapping = true;
        i.HardState = AlertState.Ok;
        Assert.Null(AlertNotifyPolicy.Decide(i, false, repeat, T0.AddMinutes(31)));
        i.Flapping = false;
        Assert.Equal(NotificationKind.Recovery, AlertNotifyPolicy.Decide(i, false, repeat, T0.AddMinutes(31)));
        i.NotifiedState = null;
        Assert.Null(AlertNotifyPolicy.Decide(i, false, repeat, T0.AddMinutes(31)));
    }

    [Fact]
    public void Decide_SoftProblem_NotifiesNobody() =>
        Assert.Null(AlertNotifyPolicy.Decide(new AlertInstance { Hard = false, State = AlertState.Critical }, false, TimeSpan.Zero, T0));
}
