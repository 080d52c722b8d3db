using System.Net;
using System.Net.Http.Json;

namespace OpsPortal.Tests.Security;

/// <summary>
/// Shared things written by anyone: team saved searches and team ticket filters are saved by
/// Engineers and never replaced by someone else (409); personal ones are their owner's alone.
/// </summary>
public sealed class SharedItemOwnershipTests : SecurityTestBase
{
    private sealed record Item(int? Id, string Name, string Query, bool Personal, string CreatedBy);

    public static TheoryData<string, string, string> Kinds => new()
    {
        { "/api/logs/saved-searches", "status:5xx", "status:2xx" },
        { "/api/tickets/filters", "priority=P1", "priority=P2" },
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateRoleUsersAsync();
    }

    private static Task<HttpResponseMessage> SaveAsync(HttpClient client, string url, string name, string query, bool personal) =>
        client.PostAsJsonAsync(url, new { name, query, range = "1h", personal });

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task TeamItem_AnotherEngineerSavesTheSameName_409AndTheOriginalStays(string url, string query, string other)
    {
        using var ann = await ClientForAsync(EngineerEmail, Password);
        using var bob = await ClientForAsync(OtherEngineerEmail, Password);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(ann, url, "On call", query, personal: false)).StatusCode);

        var response = await SaveAsync(bob, url, "On call", other, personal: false);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains(EngineerEmail, (await response.Content.ReadFromJsonAsync<ProblemBody>())!.Detail, StringComparison.Ordinal);
        var kept = (await bob.GetFromJsonAsync<List<Item>>(url))!.Single(i => i.Name == "On call");
        Assert.Equal((query, EngineerEmail), (kept.Query, kept.CreatedBy));
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(ann, url, "On call", other, personal: false)).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task TeamItem_Viewer_IsForbidden_ButMaySaveOwn(string url, string query, string other)
    {
        using var engineer = await ClientForAsync(EngineerEmail, Password);
        using var viewer = await ClientForAsync(ViewerEmail, Password);
        await SaveAsync(engineer, url, "Shared", query, personal: false);

        Assert.Equal(HttpStatusCode.Forbidden, (await SaveAsync(viewer, url, "Shared", other, personal: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SaveAsync(viewer, url, "New", other, personal: false)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(viewer, url, "Shared", other, personal: true)).StatusCode);

        var seen = await viewer.GetFromJsonAsync<List<Item>>(url);
        Assert.Equal([(false, query), (true, other)], seen!.Where(i => i.Name == "Shared").Select(i => (i.Personal, i.Query)).ToList());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task PersonalItem_OthersNeitherSeeNorDeleteIt(string url, string query, string other)
    {
        using var ann = await ClientForAsync(EngineerEmail, Password);
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var mine = await (await SaveAsync(ann, url, "Mine", query, personal: true)).Content.ReadFromJsonAsync<Item>();

        Assert.DoesNotContain((await admin.GetFromJsonAsync<List<Item>>(url))!, i => i.Name == "Mine");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"{url}/{mine!.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(admin, url, "Mine", other, personal: true)).StatusCode);
        Assert.Equal(query, (await ann.GetFromJsonAsync<List<Item>>(url))!.Single(i => i.Name == "Mine").Query);
        Assert.Equal(HttpStatusCode.NoContent, (await ann.DeleteAsync($"{url}/{mine.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task TeamItem_DeletedByItsCreatorOrAnAdminOnly(string url, string query, string other)
    {
        _ = other;
        using var ann = await ClientForAsync(EngineerEmail, Password);
        using var bob = await ClientForAsync(OtherEngineerEmail, Password);
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var team = await (await SaveAsync(ann, url, "Team", query, personal: false)).Content.ReadFromJsonAsync<Item>();

        Assert.Equal(HttpStatusCode.Forbidden, (await bob.DeleteAsync($"{url}/{team!.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{url}/{team.Id}")).StatusCode);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task TeamItem_TwoEngineersAtOnce_OneWinsTheOtherGets409(string url, string query, string other)
    {
        using var ann = await ClientForAsync(EngineerEmail, Password);
        using var bob = await ClientForAsync(OtherEngineerEmail, Password);

        var both = await Task.WhenAll(SaveAsync(ann, url, "Race", query, personal: false), SaveAsync(bob, url, "Race", other, personal: false));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], both.Select(r => r.StatusCode).Order().ToList());
    }
}
