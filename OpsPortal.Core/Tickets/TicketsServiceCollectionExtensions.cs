using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Tickets;

public static class TicketsServiceCollectionExtensions
{
    public static IServiceCollection AddTickets(this IServiceCollection services)
    {
        services.AddOptions<TicketsOptions>().BindConfiguration(TicketsOptions.Section)
            .Validate(o => TicketRules.PrefixPattern().IsMatch(o.KeyPrefix ?? ""),
                "OpsPortal:Tickets:KeyPrefix must be 1 to 10 capital letters or digits, starting with a letter (e.g. OPS).")
            .ValidateOnStart();
        services.AddSingleton<TicketOperations>();
        services.AddScoped<TicketHook>();
        return services;
    }
}
