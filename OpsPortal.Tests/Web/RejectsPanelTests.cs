using Bunit;
using Microsoft.Extensions.Configuration;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Logs.Sources;

namespace OpsPortal.Tests.Web;

/// <summary>A reject's raw line may hold anything its file held: Admins see it, Viewers see the reason and the count (issue 13.8).</summary>
public sealed class RejectsPanelTests : MudComponentTest
{
    private TestDatabase _db = null!;
    private int _sourceId;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _db = await TestDatabase.CreateAsync();
        Ctx.Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        Ctx.Services.AddOpsData(_db.ConnectionString);
        Ctx.Services.AddLogs();
        await using var db = _db.CreateContext();
        var source = db.LogSources.Add(new LogSource { Name = "s", Format = "combined", Kind = LogSourceKind.Http }).Entity;
        await db.SaveChangesAsync();
        _sourceId = source.Id;
        db.LogRejects.Add(new LogReject { SourceId = _sourceId, ReceivedAt = DateTimeOffset.UtcNow, Reason = "bad $status 'root:x:0:0'", Raw = "root:x:0:0:root:/root:/bin/bash" });
        await db.SaveChangesAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public void Viewer_SeesReasonWithoutTheLine()
    {
        Ctx.AddAuthorization().SetAuthorized("v@x.test").SetRoles(Roles.Implied(Roles.Viewer).ToArray());

        var panel = Ctx.Render<RejectsPanel>(p => p.Add(c => c.SourceId, _sourceId));

        panel.WaitForAssertion(() => Assert.Contains("bad $status '…'", panel.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("root:x", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=reject-raw]"));
    }

    [Fact]
    public void Admin_SeesTheLine()
    {
        Ctx.AddAuthorization().SetAuthorized("a@x.test").SetRoles(Roles.Implied(Roles.Admin).ToArray());

        var panel = Ctx.Render<RejectsPanel>(p => p.Add(c => c.SourceId, _sourceId));

        panel.WaitForAssertion(() => Assert.Equal("root:x:0:0:root:/root:/bin/bash", panel.Find("[data-testid=reject-raw]").TextContent));
    }
}
