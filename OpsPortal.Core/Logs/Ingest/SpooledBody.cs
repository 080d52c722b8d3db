using System.IO.Compression;
using System.Security.Cryptography;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// A request body read to its end before anything is written: in memory up to
/// <see cref="MemoryLimit"/>, then in a temporary file that is deleted on close. So a client cut off
/// mid-upload stores nothing, and the transaction that writes the rows lasts as long as the database
/// work, not as long as a slow upload. Counts the bytes after decompression against the limit and
/// hashes them for <c>Idempotency-Key</c>.
/// </summary>
internal sealed class SpooledBody : IAsyncDisposable
{
    public const int MemoryLimit = 1024 * 1024;

    private readonly Stream _store;

    private SpooledBody(Stream store, long length, byte[] sha256)
    {
        _store = store;
        Length = length;
        Sha256 = sha256;
    }

    public long Length { get; }
    public byte[] Sha256 { get; }

    /// <summary>The body from its start (one reader at a time).</summary>
    public Stream Rewound()
    {
        _store.Position = 0;
        return _store;
    }

    public static async Task<Result<SpooledBody>> ReadAsync(Stream body, bool gzip, long maxBytes, CancellationToken ct)
    {
        Stream store = new MemoryStream();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            await using var decoded = gzip ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true) : null;
            var input = decoded ?? body;
            var buffer = new byte[64 * 1024];
            long length = 0;
            int read;
            while ((read = await input.ReadAsync(buffer, ct)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    await store.DisposeAsync();
                    return Refusal.TooLarge($"The body exceeds {maxBytes} bytes (after decompression); send it in parts. Nothing was stored.",
                        "Body too large");
                }
                hash.AppendData(buffer, 0, read);
                if (store is MemoryStream memory && memory.Length + read > MemoryLimit)
                {
                    store = await ToTempFileAsync(memory, ct);
                }
                await store.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            return new SpooledBody(store, length, hash.GetHashAndReset());
        }
        catch (InvalidDataException)
        {
            await store.DisposeAsync();
            return Refusal.Invalid("The body is not valid gzip. Nothing was stored.", "Bad gzip body");
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    private static async Task<Stream> ToTempFileAsync(MemoryStream memory, CancellationToken ct)
    {
        var file = new FileStream(Path.Combine(Path.GetTempPath(), $"opsportal-ingest-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        memory.Position = 0;
        await memory.CopyToAsync(file, ct);
        await memory.DisposeAsync();
        return file;
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
