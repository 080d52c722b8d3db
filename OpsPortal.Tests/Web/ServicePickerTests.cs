using Bunit;
using MudBlazor;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Services;

namespace OpsPortal.Tests.Web;

/// <summary>The ticket's service field is picked from the catalog, as Jira picks a Component.</summary>
public sealed class ServicePickerTests : MudComponentTest
{
    private static readonly string[] Names = ["checkout", "db", "shop-api"];

    [Fact]
    public async Task Pick_ANameOfTheCatalog_IsTaken_TypedTextNamingNoService_IsNot()
    {
        var picked = new List<string?>();
        var cut = Ctx.Render<ServicePicker>(p => p.Add(x => x.Names, Names).Add(x => x.ValueChanged, v => picked.Add(v)));
        var autocomplete = cut.FindComponent<MudAutocomplete<string>>().Instance;

        await cut.InvokeAsync(() => autocomplete.ValueChanged.InvokeAsync("chekout"));
        await cut.InvokeAsync(() => autocomplete.ValueChanged.InvokeAsync("db"));
        Assert.Equal(["db"], picked);

        cut.Render(p => p.Add(x => x.Value, "db"));
        await cut.InvokeAsync(() => cut.FindComponent<MudAutocomplete<string>>().Instance.ValueChanged.InvokeAsync(null));
        Assert.Equal(["db", null], picked);
    }

    [Fact]
    public async Task Search_OffersTheCatalogsNames_FilteredByWhatIsTyped()
    {
        var cut = Ctx.Render<ServicePicker>(p => p.Add(x => x.Names, Names));
        var search = cut.FindComponent<MudAutocomplete<string>>().Instance.SearchFunc!;
        async Task<IEnumerable<string>> Find(string text) => (await search(text, CancellationToken.None)!)!;

        Assert.Equal(Names, await Find(""));
        Assert.Equal(["shop-api"], await Find("SHOP"));
        Assert.Empty(await Find("nothing"));
    }

    [Fact]
    public void Value_TheCatalogDoesNotKnow_KeptButShownAsNotInTheCatalog()
    {
        var cut = Ctx.Render<ServicePicker>(p => p.Add(x => x.Names, Names).Add(x => x.Value, "old-free-text"));

        Assert.NotEmpty(cut.FindAll(".mud-input-error"));
        Assert.Contains("“old-free-text” is not in the service catalog", cut.Markup, StringComparison.Ordinal);

        cut.Render(p => p.Add(x => x.Value, "db"));
        Assert.Empty(cut.FindAll(".mud-input-error"));
        Assert.DoesNotContain("is not in the service catalog", cut.Markup, StringComparison.Ordinal);
    }
}
