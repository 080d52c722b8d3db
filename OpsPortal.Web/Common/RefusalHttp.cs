using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;

namespace OpsPortal.Web.Common;

/// <summary>The one mapping of a Core <see cref="Refusal"/> to an HTTP answer: RFC 7807 problem details.</summary>
public static class RefusalHttp
{
    public static int StatusCode(this RefusalKind kind) => kind switch
    {
        RefusalKind.Invalid => StatusCodes.Status400BadRequest,
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        RefusalKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        RefusalKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        RefusalKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        RefusalKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        RefusalKind.Throttled => StatusCodes.Status429TooManyRequests,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static ProblemHttpResult ToProblem(this Refusal refusal) =>
        TypedResults.Problem(statusCode: refusal.Kind.StatusCode(), title: refusal.Title, detail: refusal.Detail,
            extensions: refusal.Extensions);

    /// <summary>As <see cref="ToProblem"/>, plus the <c>Retry-After</c> header a throttled client needs.</summary>
    public static ProblemHttpResult ToProblem(this Refusal refusal, HttpResponse response)
    {
        if (refusal.RetryAfter is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return refusal.ToProblem();
    }

    /// <summary>An endpoint's answer: <paramref name="ok"/> of the value, or the refusal as problem details.</summary>
    public static Results<TOk, ProblemHttpResult> ToHttp<T, TOk>(this Result<T> result, Func<T, TOk> ok) where TOk : IResult =>
        result.TryGet(out var value, out var refusal) ? ok(value) : refusal.ToProblem();

    /// <summary>An endpoint's answer for an operation without a value.</summary>
    public static Results<TOk, ProblemHttpResult> ToHttp<TOk>(this Result result, Func<TOk> ok) where TOk : IResult =>
        result.Succeeded ? ok() : result.Refusal.ToProblem();
}
