using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Incidents;

/// <summary>
/// What the incident page and its review page share: load the incident and its timeline, and reload
/// live when anything of it (its events, its ticket, its services) lands on the spine. Each load has
/// its own token, cancelled by the next one and when the page is left.
/// </summary>
public abstract class IncidentPageBase : LiveComponentBase
{
    [Parameter] public long Id { get; set; }

    [Inject] protected IncidentQueries Queries { get; set; } = default!;
    [Inject] protected IncidentTimeline Timeline { get; set; } = default!;
    [Inject] protected ActingUser Acting { get; set; } = default!;
    [Inject] protected IOptions<IncidentsOptions> Options { get; set; } = default!;

    protected Incident? Incident { get; private set; }
    protected IReadOnlyList<TimelineItem> Items { get; private set; } = [];
    protected bool Loaded { get; private set; }
    protected bool CanEdit { get; private set; }

    /// <summary>Minutes before the impact start the timeline reaches back.</summary>
    protected int MarginMinutes { get; set; }

    protected override async Task OnInitializedAsync()
    {
        MarginMinutes = (int)Options.Value.TimelineMargin.TotalMinutes;
        CanEdit = await Acting.CanAsync(AuthSetup.EngineerPolicy);
        ReloadOn(Concerns, LoadAsync);
    }

    protected override async Task OnParametersSetAsync() => await ReloadAsync();

    /// <summary>Loads again now (after a change made on this page), cancelling a load still running.</summary>
    protected Task ReloadAsync() => RunLoadAsync(LoadAsync);

    protected virtual async Task LoadAsync(CancellationToken ct)
    {
        Incident = await Queries.GetAsync(Id, ct);
        Items = Incident is null ? [] : await Timeline.BuildAsync(Incident, TimeSpan.FromMinutes(MarginMinutes), ct);
        Loaded = true;
    }

    private bool Concerns(OpsEvent ev) => Incident is { } i
        && ((ev.SubjectType == IncidentEventKinds.SubjectType && ev.SubjectId == i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            || (ev.SubjectType == IncidentTimeline.TicketSubjectType && ev.SubjectId == i.TicketKey)
            || (ev.Service is not null && i.Services.Contains(ev.Service)));
}
