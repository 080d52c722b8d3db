using System.Data.Common;
using Microsoft.AspNetCore.Components.Web.Virtualization;
using OpsPortal.Core.Deploys;

namespace OpsPortal.Web.Features.Deploys;

/// <summary>
/// What one viewer's output pane knows: how many lines the deploy has printed and the newest of them
/// (contiguous, at most <c>capacity</c>), and how <c>Virtualize</c> gets the rows it shows: from those
/// newest lines when it can, otherwise from the database. Touched on the renderer's thread only (the
/// render loop applies batches there, and <c>Virtualize</c> asks there), so it needs no lock.
/// </summary>
public sealed class DeployOutputLines(long initialTotal, int capacity = DeployOutputLines.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly List<DeployOutputLine> _tail = [];

    public long Total { get; private set; } = initialTotal;

    /// <summary>Set when the last read from the database failed; cleared by the next one that works.</summary>
    public string? LoadError { get; private set; }

    /// <summary>
    /// A newer count from the database (a finished deploy the page read again): the pane grows to it and
    /// reads the lines it lacks from the database. Never shrinks.
    /// </summary>
    public bool GrowTo(long total)
    {
        if (total <= Total)
        {
            return false;
        }
        Total = total;
        return true;
    }

    /// <summary>Lines in order, as the output reader delivers them; <paramref name="dropped"/> earlier ones never reached this pane.</summary>
    public void Add(IReadOnlyList<DeployOutputLine> lines, int dropped)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count == 0)
        {
            return;
        }
        // The tail stays contiguous: after a gap the lines before it are read from the database instead.
        if (dropped > 0 || (_tail.Count > 0 && lines[0].Seq != _tail[^1].Seq + 1))
        {
            _tail.Clear();
        }
        _tail.AddRange(lines);
        if (_tail.Count > capacity)
        {
            _tail.RemoveRange(0, _tail.Count - capacity);
        }
        Total = Math.Max(Total, lines[^1].Seq);
    }

    /// <summary>
    /// The rows <paramref name="request"/> asks for. Never throws but a cancellation carrying the
    /// request's own token: Virtualize ignores only that one, and rethrows anything else in its next
    /// render, which ends the circuit and freezes the pane. Npgsql cancelled while it opens a
    /// connection throws a <see cref="TaskCanceledException"/> with a token of its own, and the live
    /// pane cancels loads all the time (each batch refreshes the rows), so that is translated here; a
    /// database fault shows no rows and an error instead.
    /// </summary>
    public async ValueTask<ItemsProviderResult<DeployOutputLine>> ProvideAsync(ItemsProviderRequest request,
        Func<long, int, CancellationToken, Task<List<DeployOutputLine>>> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var total = Total;
        var shown = (int)Math.Min(total, int.MaxValue);
        var from = request.StartIndex + 1L;
        var count = (int)Math.Min(request.Count, Math.Max(0, total - request.StartIndex));
        if (count == 0)
        {
            return new ItemsProviderResult<DeployOutputLine>([], shown);
        }
        if (_tail.Count > 0 && from >= _tail[0].Seq)
        {
            return new ItemsProviderResult<DeployOutputLine>(_tail.Skip((int)(from - _tail[0].Seq)).Take(count).ToList(), shown);
        }
        try
        {
            var lines = await load(from, count, request.CancellationToken);
            LoadError = null;
            return new ItemsProviderResult<DeployOutputLine>(lines, shown);
        }
        catch (Exception ex) when (request.CancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("A newer request replaced this one.", ex, request.CancellationToken);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            LoadError = "Earlier lines could not be read: the database does not answer. Scroll or wait to try again.";
            return new ItemsProviderResult<DeployOutputLine>([], shown);
        }
    }
}
