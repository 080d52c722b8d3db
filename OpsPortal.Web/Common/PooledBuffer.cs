using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace OpsPortal.Web.Common;

/// <summary>
/// An answer (or a part of one) written ahead into chunks rented from the shared array pool, then sent with
/// one write per chunk: cheap small writes (a field at a time) and no array the size of the answer per call
/// (ADR-046). Kestrel's own response writer is not made for thousands of tiny writes per row.
/// </summary>
public sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private const int MinimumChunk = 64 * 1024;
    private readonly List<(byte[] Array, int Used)> _full = [];
    private byte[] _current = [];
    private int _used;

    public long Length => _full.Sum(c => (long)c.Used) + _used;

    public void Advance(int count) => _used += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _current.AsMemory(_used);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _current.AsSpan(_used);
    }

    // Full chunks are kept as they are (nothing is copied when the answer grows); a chunk that cannot take
    // the hint ends at what it holds.
    private void Reserve(int sizeHint)
    {
        if (_current.Length - _used < Math.Max(sizeHint, 1))
        {
            if (_current.Length > 0)
            {
                _full.Add((_current, _used));
            }
            _current = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, MinimumChunk));
            _used = 0;
        }
    }

    /// <summary>Writes what the buffer holds to <paramref name="stream"/> and empties it (its chunks go back to the pool).</summary>
    public async Task DrainToAsync(Stream stream, CancellationToken ct)
    {
        foreach (var (array, used) in _full)
        {
            await stream.WriteAsync(array.AsMemory(0, used), ct);
        }
        await stream.WriteAsync(_current.AsMemory(0, _used), ct);
        Dispose();
    }

    public void Dispose()
    {
        foreach (var (array, _) in _full)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        _full.Clear();
        if (_current.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_current);
        }
        _current = [];
        _used = 0;
    }
}

/// <summary>
/// A JSON answer written ahead into a <see cref="PooledBuffer"/> while the endpoint reads the database, so a
/// fault halfway still becomes a proper error answer (nothing has been sent), then sent with its length.
/// Declares <typeparamref name="TShape"/> as its 200 body for OpenAPI.
/// </summary>
public sealed class PooledJson<TShape> : IResult, IDisposable, IEndpointMetadataProvider
{
    public PooledBuffer Buffer { get; } = new();

    /// <summary>
    /// <paramref name="value"/> written by <paramref name="write"/>, a writer of the same bytes the serializer
    /// would give (its tests compare them), without validation of each write: a known shape, written whole.
    /// </summary>
    public static PooledJson<TShape> Of(TShape value, Action<Utf8JsonWriter, TShape> write)
    {
        var answer = new PooledJson<TShape>();
        try
        {
            using (var json = new Utf8JsonWriter(answer.Buffer, new JsonWriterOptions { SkipValidation = true }))
            {
                write(json, value);
            }
            return answer;
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = Buffer.Length;
        await Buffer.DrainToAsync(response.Body, httpContext.RequestAborted);
    }

    public void Dispose() => Buffer.Dispose();

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(TShape), ["application/json"]));
}
