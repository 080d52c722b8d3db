using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Tickets;

public static class TicketsServiceCollectionExtensions
{
    public static IServiceCollection AddTickets(this IServiceCollection services)
    {
        services.AddOptions<TicketsOptions>().BindConfiguration(TicketsOptions.Section)
            .Validate(o => TicketRules.PrefixPattern().IsMatch(o.KeyPrefix ?? ""),
                "OpsPortal:Tickets:KeyPrefix must be 2 to 10 capital letters or digits, starting with a letter (e.g. OPS).")
            .Validate(o => o.SearchCandidates is >= 20 and <= 100_000,
                "OpsPortal:Tickets:SearchCandidates must be between 20 and 100000.")
            .ValidateOnStart();
        services.AddSingleton<TicketOperations>();
        services.AddSingleton<TicketHook>();
        services.AddSingleton<TicketService>();
        services.AddSingleton<TicketList>();
        services.AddSingleton<TicketSearch>();
        services.AddSingleton<TicketFilterService>();
        services.AddSingleton<IMarkdownEnricher, TicketReferenceEnricher>();
        return services;
    }
}
