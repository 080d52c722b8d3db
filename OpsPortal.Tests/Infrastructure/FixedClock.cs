namespace OpsPortal.Tests.Infrastructure;

/// <summary>A clock a test sets; everything else about <see cref="TimeProvider"/> stays real.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
