using System.Diagnostics.CodeAnalysis;

namespace OpsPortal.Core;

/// <summary>
/// The outcome of an operation that may be refused: a value, or a <see cref="Refusal"/>. Return a
/// value or a refusal directly (both convert implicitly); exceptions stay for faults (a bug, the
/// database gone), which the host answers with 500/503 and logs.
/// </summary>
public readonly struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Refusal? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    /// <summary>Null when the operation succeeded.</summary>
    public Refusal? Refusal { get; }

    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Succeeded => Refusal is null;

    /// <summary>The value; throws when the operation was refused (check <see cref="Succeeded"/> first, or use <see cref="TryGet"/>).</summary>
    public T Value => Refusal is null ? _value! : throw new InvalidOperationException($"The operation was refused: {Refusal.Message}");

    public bool TryGet([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out Refusal? refusal)
    {
        value = _value;
        refusal = Refusal;
        return refusal is null;
    }

    public Result<TOut> Map<TOut>(Func<T, TOut> map) => Refusal is null ? map(_value!) : Refusal;

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(Refusal refusal) => new(default, refusal ?? throw new ArgumentNullException(nameof(refusal)));
}

/// <summary>The outcome of an operation that returns nothing but may be refused.</summary>
public readonly struct Result
{
    private Result(Refusal? refusal) => Refusal = refusal;

    public static Result Ok => default;

    public Refusal? Refusal { get; }

    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Succeeded => Refusal is null;

    public static implicit operator Result(Refusal refusal) => new(refusal ?? throw new ArgumentNullException(nameof(refusal)));
}
