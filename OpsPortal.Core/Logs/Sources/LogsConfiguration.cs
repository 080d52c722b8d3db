using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Logs.Sources;

internal sealed class LogSourceConfiguration : IEntityTypeConfiguration<LogSource>
{
    public void Configure(EntityTypeBuilder<LogSource> e)
    {
        e.ToTable("log_sources");
        e.Property(x => x.Name).HasMaxLength(100);
        e.HasIndex(x => x.Name).IsUnique();
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Format).HasMaxLength(2000);
        e.Property(x => x.HostLabel).HasMaxLength(255);
        e.Property(x => x.Path).HasMaxLength(1000);
        e.Property(x => x.SyslogTag).HasMaxLength(48);
        e.Property(x => x.LastError).HasMaxLength(2000);
        e.Property(x => x.LastLoss).HasMaxLength(1000);
        e.Property(x => x.LastLineAt).HasColumnType("timestamp without time zone");
    }
}

internal sealed class LogRejectConfiguration : IEntityTypeConfiguration<LogReject>
{
    public void Configure(EntityTypeBuilder<LogReject> e)
    {
        e.ToTable("log_rejects");
        e.Property(x => x.Reason).HasMaxLength(500);
        e.HasIndex(x => new { x.SourceId, x.ReceivedAt });
        e.HasIndex(x => x.ReceivedAt);
        e.HasOne<LogSource>().WithMany().HasForeignKey(x => x.SourceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LogFileCursorConfiguration : IEntityTypeConfiguration<LogFileCursor>
{
    public void Configure(EntityTypeBuilder<LogFileCursor> e)
    {
        e.ToTable("log_file_cursors");
        e.HasKey(x => x.SourceId);
        e.Property(x => x.FileId).HasMaxLength(64);
        e.HasOne<LogSource>().WithOne().HasForeignKey<LogFileCursor>(x => x.SourceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LogIngestKeyConfiguration : IEntityTypeConfiguration<LogIngestKey>
{
    public void Configure(EntityTypeBuilder<LogIngestKey> e)
    {
        e.ToTable("log_ingest_keys");
        e.HasKey(x => new { x.Actor, x.Key });
        e.Property(x => x.Actor).HasMaxLength(256);
        e.Property(x => x.Key).HasMaxLength(255);
        e.Property(x => x.SourceName).HasMaxLength(100);
        e.HasIndex(x => x.CreatedAt);
    }
}
