using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;

namespace OpsPortal.Web.Features.Incidents;

/// <summary>
/// What the incident page and its review page share: load the incident and its timeline, and reload
/// live when anything of it (its events, its ticket, its services) lands on the spine.
/// </summary>
public abstract class IncidentPageBase : ComponentBase, IDisposable
{
    [Parameter] public long Id { get; set; }

    [Inject] protected IncidentQueries Queries { get; set; } = default!;
    [Inject] protected IncidentTimeline Timeline { get; set; } = default!;
    [Inject] protected IncidentCommands Commands { get; set; } = default!;
    [Inject] protected IOptions<IncidentsOptions> Options { get; set; } = default!;
    [Inject] private EventNotifier Notifier { get; set; } = default!;

    protected Incident? Incident { get; private set; }
    protected IReadOnlyList<TimelineItem> Items { get; private set; } = [];
    protected bool Loaded { get; private set; }
    protected bool CanEdit { get; private set; }

    /// <summary>Minutes before the impact start the timeline reaches back.</summary>
    protected int MarginMinutes { get; set; }

    private IDisposable? _subscription;

    protected override async Task OnInitializedAsync()
    {
        MarginMinutes = (int)Options.Value.TimelineMargin.TotalMinutes;
        CanEdit = await Commands.CanEditAsync();
    }

    protected override async Task OnParametersSetAsync() => await ReloadAsync();

    protected virtual async Task ReloadAsync()
    {
        Incident = await Queries.GetAsync(Id);
        Items = Incident is null ? [] : await Timeline.BuildAsync(Incident, TimeSpan.FromMinutes(MarginMinutes));
        Loaded = true;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            _subscription = Notifier.Subscribe(ev => Concerns(ev)
                ? InvokeAsync(async () => { await ReloadAsync(); StateHasChanged(); })
                : Task.CompletedTask);
        }
    }

    private bool Concerns(OpsEvent ev) => Incident is { } i
        && ((ev.SubjectType == IncidentEventKinds.SubjectType && ev.SubjectId == i.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            || (ev.SubjectType == IncidentTimeline.TicketSubjectType && ev.SubjectId == i.TicketKey)
            || (ev.Service is not null && i.Services.Contains(ev.Service)));

    public void Dispose()
    {
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
