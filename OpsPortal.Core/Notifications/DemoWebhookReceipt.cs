using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// What the portal's built-in demo webhook receiver got: the demo channel posts to the portal itself, so the
/// channel page can show a real webhook log without any outside service. Demo mode only.
/// </summary>
public class DemoWebhookReceipt
{
    public long Id { get; set; }
    public long ChannelId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public required string Body { get; set; }
}

internal sealed class DemoWebhookReceiptConfiguration : IEntityTypeConfiguration<DemoWebhookReceipt>
{
    public void Configure(EntityTypeBuilder<DemoWebhookReceipt> e)
    {
        e.ToTable("demo_webhook_receipts");
        e.Property(x => x.Body).HasMaxLength(DemoWebhooks.MaxBody);
        e.HasOne<NotificationChannel>().WithMany().HasForeignKey(x => x.ChannelId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(x => new { x.ChannelId, x.Id });
    }
}
