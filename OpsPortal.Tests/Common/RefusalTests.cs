using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Web.Common;

namespace OpsPortal.Tests.Common;

public class RefusalTests
{
    [Theory]
    [InlineData(RefusalKind.Invalid, 400)]
    [InlineData(RefusalKind.Forbidden, 403)]
    [InlineData(RefusalKind.NotFound, 404)]
    [InlineData(RefusalKind.Conflict, 409)]
    [InlineData(RefusalKind.Unprocessable, 422)]
    [InlineData(RefusalKind.TooLarge, 413)]
    [InlineData(RefusalKind.Unavailable, 503)]
    public void ToProblem_EachKind_HasItsStatusTitleDetailAndExtensions(RefusalKind kind, int status)
    {
        var refusal = new Refusal(kind, "Locked", "web/production is locked by ann.").With("holder", "ann");

        var problem = refusal.ToProblem();

        Assert.Equal(status, problem.StatusCode);
        Assert.Equal("Locked", problem.ProblemDetails.Title);
        Assert.Equal("web/production is locked by ann.", problem.ProblemDetails.Detail);
        Assert.Equal("ann", problem.ProblemDetails.Extensions["holder"]);
    }

    [Fact]
    public void InvalidFields_CarriesErrorsByField_AndJoinsThemInTheDetail()
    {
        var refusal = Refusal.InvalidFields(new Dictionary<string, string> { ["title"] = "A title is required.", ["due"] = "Not a date." });

        Assert.Equal(RefusalKind.Invalid, refusal.Kind);
        Assert.Equal("A title is required.", refusal.Errors["title"]);
        Assert.Contains("Not a date.", refusal.Detail, StringComparison.Ordinal);
        Assert.Same(refusal.Errors, refusal.ToProblem().ProblemDetails.Extensions["errors"]);
    }

    [Fact]
    public void Result_ValueOrRefusal_ConvertImplicitly()
    {
        Result<int> ok = 42;
        Result<int> refused = Refusal.NotFound("There is no ticket OPS-9.");

        Assert.True(ok.Succeeded);
        Assert.Equal(42, ok.Value);
        Assert.False(refused.Succeeded);
        Assert.Equal(RefusalKind.NotFound, refused.Refusal.Kind);
        Assert.Throws<InvalidOperationException>(() => refused.Value);
        Assert.Equal("43", ok.Map(v => (v + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Value);
        Assert.False(refused.Map(v => v + 1).Succeeded);
    }

    [Fact]
    public void ToHttp_Refused_IsProblemDetails_Succeeded_IsTheOkResult()
    {
        Result<string> ok = "x";
        Result<string> refused = Refusal.Conflict("Stale version.");

        Assert.IsType<Ok<string>>(ok.ToHttp(TypedResults.Ok).Result);
        var problem = Assert.IsType<ProblemHttpResult>(refused.ToHttp(TypedResults.Ok).Result);
        Assert.Equal(StatusCodes.Status409Conflict, problem.StatusCode);
    }

    [Fact]
    public void Message_TitleThenDetail_WithoutRepeatingTheTitle()
    {
        Assert.Equal("Locked. By ann.", Refusal.Conflict("By ann.", "Locked").Message);
        Assert.Equal("Locked by ann.", Refusal.Conflict("Locked by ann.", "Locked").Message);
    }
}
