# OpsPortal in a container. docker-compose.yml runs it with PostgreSQL: `docker compose up --build`.
# The container applies migrations, creates the first admin if there is none, then serves on 5080
# (scripts/docker-entrypoint.sh).

# Build stage. The project files come first and are restored on their own, so the restore layer
# stays cached while only sources change.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY OpsPortal.Core/OpsPortal.Core.csproj OpsPortal.Core/
COPY OpsPortal.Web/OpsPortal.Web.csproj OpsPortal.Web/
RUN dotnet restore OpsPortal.Web/OpsPortal.Web.csproj
COPY OpsPortal.Core/ OpsPortal.Core/
COPY OpsPortal.Web/ OpsPortal.Web/
RUN dotnet publish OpsPortal.Web/OpsPortal.Web.csproj -c Release --no-restore -o /app

# Runtime stage: the ASP.NET Core runtime only, running as the image's non-root `app` user. File
# sources read under OpsPortal__Logs__AllowedPaths (default /var/log): mount the host's logs there
# read-only (-v /var/log/nginx:/var/log/nginx:ro).
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY scripts/docker-entrypoint.sh /usr/local/bin/opsportal-entrypoint
# Sign-in cookie keys live in PostgreSQL (shared by every app node), so the container keeps no state.
RUN chmod 755 /usr/local/bin/opsportal-entrypoint
ENV ASPNETCORE_HTTP_PORTS=5080
EXPOSE 5080
USER $APP_UID
ENTRYPOINT ["opsportal-entrypoint"]
