using OpsPortal.Web.Hosting;

// `migrate`, `ensure-admin`, `add-user`: set-up steps run.sh and operators call; they exit when done.
if (Commands.IsCommand(args))
{
    return await Commands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddOpsPortal();

var app = builder.Build();
app.UseOpsPortal();
await app.RunAsync();
return 0;

public partial class Program;
