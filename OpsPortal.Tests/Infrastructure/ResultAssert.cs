using OpsPortal.Core;
using OpsPortal.Core.Auth;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>Reading <see cref="Result{T}"/>s in tests: the value of one that must succeed, the refusal of one that must not.</summary>
public static class ResultAssert
{
    public static async Task<T> OkAsync<T>(this Task<Result<T>> operation)
    {
        var result = await operation;
        Assert.True(result.Succeeded, result.Refusal?.Message);
        return result.Value;
    }

    public static async Task OkAsync(this Task<Result> operation)
    {
        var result = await operation;
        Assert.True(result.Succeeded, result.Refusal?.Message);
    }

    public static async Task<Refusal> RefusedAsync<T>(this Task<Result<T>> operation, RefusalKind kind)
    {
        var result = await operation;
        Assert.False(result.Succeeded, "The operation succeeded; a refusal was expected.");
        Assert.Equal(kind, result.Refusal.Kind);
        return result.Refusal;
    }

    public static async Task<Refusal> RefusedAsync(this Task<Result> operation, RefusalKind kind)
    {
        var result = await operation;
        Assert.False(result.Succeeded, "The operation succeeded; a refusal was expected.");
        Assert.Equal(kind, result.Refusal.Kind);
        return result.Refusal;
    }

    public static T Ok<T>(this Result<T> result)
    {
        Assert.True(result.Succeeded, result.Refusal?.Message);
        return result.Value;
    }
}

/// <summary>Actors for Core calls in tests.</summary>
public static class As
{
    public static Actor Engineer(string name) => new(name, Roles.Engineer);

    public static Actor Admin(string name) => new(name, Roles.Admin);

    public static Actor Viewer(string name) => new(name, Roles.Viewer);
}
