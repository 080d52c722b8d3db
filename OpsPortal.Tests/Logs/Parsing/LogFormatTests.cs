using OpsPortal.Core.Logs.Parsing;


namespace OpsPortal.Tests.Logs.Parsing;

public class LogFormatTests
{
    [Fact]
    public void PresetNames_ListsTheFourPresets()
    {
        Assert.Equal(["combined", "common", "vhost_combined", "opsportal"], LogFormat.PresetNames);
    }

    [Theory]
    [InlineData("combined", LogFormat.Combined)]
    [InlineData("common", LogFormat.Common)]
    [InlineData("vhost_combined", LogFormat.VhostCombined)]
    [InlineData("opsportal", LogFormat.OpsPortal)]
    [InlineData("COMBINED", LogFormat.Combined)]
    public void TryGetPreset_KnownName_ReturnsItsFormat(string name, string expected)
    {
        Assert.True(LogFormat.TryGetPreset(name, out var format));
        Assert.Equal(expected, format);
        Assert.Equal(expected, LogFormat.Preset(name).Format);
    }

    [Fact]
    public void TryGetPreset_UnknownName_ReturnsFalse()
    {
        Assert.False(LogFormat.TryGetPreset("json", out var format));
        Assert.Null(format);
    }

    [Fact]
    public void Preset_UnknownName_ThrowsNamingThePresets()
    {
        var ex = Assert.Throws<ArgumentException>(() => LogFormat.Preset("main"));
        Assert.Contains("'main'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("opsportal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Preset_OpsPortal_FillsEveryColumn()
    {
        var parser = LogFormat.Preset("opsportal");

        Assert.True(parser.ProvidesHostname);
        Assert.True(parser.ProvidesDate);
        Assert.Equal(
            ["remote_addr", "remote_user", "time_local", "request", "status", "body_bytes_sent", "http_referer",
                "http_user_agent", "host", "scheme", "request_time", "upstream_response_time", "upstream_addr",
                "upstream_status", "ssl_protocol", "ssl_cipher"],
            parser.Variables);
    }

    [Fact]
    public void Preset_Combined_HasNoHostname()
    {
        Assert.False(LogFormat.Preset("combined").ProvidesHostname);
    }

    [Fact]
    public void ApacheCombined_WritesTheSameFieldsAsCombined()
    {
        Assert.Equal(
            "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined",
            LogFormat.ApacheCombined);
    }

    [Fact]
    public void NginxOpsPortalDirective_IsALogFormatLineForThePreset()
    {
        Assert.Equal(
            "log_format opsportal '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
            + "\"$http_referer\" \"$http_user_agent\" host=$host scheme=$scheme rt=$request_time "
            + "urt=\"$upstream_response_time\" upstream=\"$upstream_addr\" ustatus=\"$upstream_status\" "
            + "tls=$ssl_protocol cipher=$ssl_cipher';",
            LogFormat.NginxOpsPortalDirective);
    }

    [Fact]
    public void Compile_UnknownVariable_ThrowsNamingItAndItsPosition()
    {
        var ex = Assert.Throws<LogFormatException>(() => LogFormat.Compile("$remote_addr $http_x_forwarded_for"));

        Assert.Contains("$http_x_forwarded_for", ex.Message, StringComparison.Ordinal);
        Assert.Contains("position 14", ex.Message, StringComparison.Ordinal);
        Assert.Contains("$remote_addr", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UnknownVariableWhenIgnored_SkipsItsValue()
    {
        var parser = LogFormat.Compile(
            "$remote_addr \"$http_x_forwarded_for\" $status",
            new LogParserOptions { IgnoreUnknownVariables = true });
        var record = new AccessRecord();

        Assert.True(parser.TryParse("10.0.0.1 \"1.2.3.4, 5.6.7.8\" 200", record, out var reason), reason);
        Assert.Equal(200, record.Status);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("just text", "no variables")]
    [InlineData("$remote_addr $", "position 14")]
    [InlineData("$remote_addr ${status", "no closing '}'")]
    [InlineData("$remote_addr ${}", "not a variable name")]
    [InlineData("$remote_addr$status", "no text between them")]
    [InlineData("$remote_addr ${bogus}", "$bogus")]
    public void Compile_BadFormat_ThrowsWithClearMessage(string format, string expectedInMessage)
    {
        var ex = Assert.Throws<LogFormatException>(() => LogFormat.Compile(format));
        Assert.Contains(expectedInMessage, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_BraceSyntax_ReadsTheVariable()
    {
        var parser = LogFormat.Compile("${status}x ${body_bytes_sent}");
        var record = new AccessRecord();

        Assert.True(parser.TryParse("404x 512", record, out var reason), reason);
        Assert.Equal(404, record.Status);
        Assert.Equal(512, record.Size);
    }

    [Fact]
    public void Compile_UppercaseVariable_ResolvesLikeNginx()
    {
        Assert.Equal(["STATUS"], LogFormat.Compile("$STATUS").Variables);
    }

    [Fact]
    public void Compile_NonPositiveMaxLineLength_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => LogFormat.Compile(LogFormat.Common, new LogParserOptions { MaxLineLength = 0 }));
    }
}
