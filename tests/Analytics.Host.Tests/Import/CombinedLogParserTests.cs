using System.Net;
using Analytics.Host.Import;

namespace Analytics.Host.Tests.Import;

public class CombinedLogParserTests
{
    [Test]
    public void A_combined_line_gives_ip_utc_time_request_status_referrer_and_user_agent()
    {
        const string line = "203.0.113.7 - frank [10/Oct/2026:13:55:36 -0700] \"GET /blog/post?x=1 HTTP/1.1\" 200 2326 \"https://www.google.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\"";

        Assert.That(CombinedLogParser.TryParse(line, out var entry), Is.True);
        Assert.That(entry.Ip, Is.EqualTo(IPAddress.Parse("203.0.113.7")));
        Assert.That(entry.Time.UtcDateTime, Is.EqualTo(new DateTime(2026, 10, 10, 20, 55, 36, DateTimeKind.Utc)));
        Assert.That(entry.Method, Is.EqualTo("GET"));
        Assert.That(entry.Target, Is.EqualTo("/blog/post?x=1"));
        Assert.That(entry.Status, Is.EqualTo(200));
        Assert.That(entry.Referrer, Is.EqualTo("https://www.google.com/"));
        Assert.That(entry.UserAgent, Is.EqualTo("Mozilla/5.0 (X11; Linux x86_64)"));
    }

    [Test]
    public void Common_log_format_ipv6_dashes_and_escaped_quotes_are_read()
    {
        Assert.That(CombinedLogParser.TryParse("2001:db8::1 - - [01/Jan/2026:00:00:00 +0530] \"GET / HTTP/1.0\" 304 -", out var common), Is.True);
        Assert.That(common.UserAgent, Is.Empty);
        Assert.That(common.Time.UtcDateTime, Is.EqualTo(new DateTime(2025, 12, 31, 18, 30, 0, DateTimeKind.Utc)));

        Assert.That(CombinedLogParser.TryParse("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Agent \\\"quoted\\\"\"", out var escaped), Is.True);
        Assert.That(escaped.Referrer, Is.Empty);
        Assert.That(escaped.UserAgent, Is.EqualTo("Agent \"quoted\""));
    }

    [TestCase("www.example.com:443 203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"x\"", "www.example.com", "203.0.113.7")]
    [TestCase("Shop.Example.org 2001:db8::1 - - [10/Oct/2026:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"x\"", "shop.example.org", "2001:db8::1")]
    [TestCase("203.0.113.7 - John Smith [10/Oct/2026:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"x\"", "", "203.0.113.7")]
    [TestCase("203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"x\"", "", "203.0.113.7")]
    public void A_vhost_combined_line_gives_its_virtual_host_before_the_address(string line, string virtualHost, string ip)
    {
        Assert.That(CombinedLogParser.TryParse(line, out var entry), Is.True);
        Assert.That(entry.VirtualHost, Is.EqualTo(virtualHost));
        Assert.That(entry.Ip, Is.EqualTo(IPAddress.Parse(ip)));
        Assert.That(entry.Target, Is.EqualTo("/a"));
    }

    [Test]
    public void A_common_log_line_with_the_client_s_host_name_has_no_address_and_no_user_agent_field()
    {
        // The form of NASA's 1995 logs and of any server with Apache's HostnameLookups on.
        Assert.That(CombinedLogParser.TryParse("Unicomp6.unicomp.net - - [01/Jul/1995:00:00:06 -0400] \"GET /shuttle/countdown/ HTTP/1.0\" 200 3985", out var named), Is.True);
        Assert.That(named.Ip, Is.Null);
        Assert.That(named.RemoteHost, Is.EqualTo("unicomp6.unicomp.net"));
        Assert.That(named.UserAgentLogged, Is.False);
        Assert.That(named.Time.UtcDateTime, Is.EqualTo(new DateTime(1995, 7, 1, 4, 0, 6, DateTimeKind.Utc)));

        Assert.That(CombinedLogParser.TryParse("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"", out var noAgent), Is.True);
        Assert.That(noAgent.RemoteHost, Is.Empty);
        Assert.That((noAgent.UserAgent, noAgent.UserAgentLogged), Is.EqualTo(("", true)), "a combined line that logged no user-agent");
    }

    [TestCase("\"203.0.113.50, 10.0.0.3\"", "203.0.113.50, 10.0.0.3")]
    [TestCase("\"2001:db8::7\"", "2001:db8::7")]
    [TestCase("\"unknown, 203.0.113.50\"", "unknown, 203.0.113.50")]
    [TestCase("\"-\"", "")]
    [TestCase("\"0.123\"", "")]
    [TestCase("\"www.example.com\"", "")]
    [TestCase("0.004 \"203.0.113.50\"", "")]
    [TestCase("", "")]
    public void The_addresses_logged_after_the_user_agent_are_its_forwarded_for(string after, string forwardedFor)
    {
        // nginx's "main" log format: ... "$http_user_agent" "$http_x_forwarded_for".
        var line = "10.0.0.2 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Mozilla/5.0\" " + after;

        Assert.That(CombinedLogParser.TryParse(line, out var entry), Is.True);
        Assert.That(entry.ForwardedFor, Is.EqualTo(forwardedFor));
        Assert.That(entry.Ip, Is.EqualTo(IPAddress.Parse("10.0.0.2")), "the logged address stays the peer's");
    }

    // nginx logs "-" for a connection that sent no request line, and what a TLS handshake or a proxy probe
    // sent to the plain port: well-formed lines whose request has no path, which the filter skips.
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"-\" 400 0 \"-\" \"-\"", "-")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"\\x16\\x03\\x01\\x02\\x00\\x01\" 400 157 \"-\" \"-\"", "\\x16\\x03\\x01\\x02\\x00\\x01")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET http://203.0.113.1/ HTTP/1.1\" 200 5 \"-\" \"x\"", "GET")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"CONNECT example.com:443 HTTP/1.1\" 400 5 \"-\" \"x\"", "CONNECT")]
    public void A_request_with_no_path_is_read_and_skipped_not_a_bad_line(string line, string method)
    {
        Assert.That(CombinedLogParser.TryParse(line, out var entry), Is.True);
        Assert.That((entry.Method, entry.Target), Is.EqualTo((method, "")));
        Assert.That(PageviewFilter.Check(entry), Is.EqualTo(SkipReason.NoPath));
    }

    [TestCase("")]
    [TestCase("garbage")]
    [TestCase("www.example.com: 203.0.113.7 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("www.example.com:https 203.0.113.7 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("<b>:80 203.0.113.7 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("www.example.com:443 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("-bad-host- - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("a b c d e [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("203.0.113.999 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("198.51.100.1 - - [01/Foo/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 999 5 \"-\" \"x\"")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"unterminated")]
    public void A_malformed_line_is_rejected_not_thrown(string line)
    {
        Assert.That(CombinedLogParser.TryParse(line, out _), Is.False);
    }

    [TestCase("203.0.113.7 - frank [10/Oct/2026:13:55:36 -0700] \"GET /a HTTP/1.1\" 200 2326 \"https://www.google.com/\" \"Mozilla/5.0\"")]
    [TestCase("2001:db8::1 - - [01/Jan/2026:00:00:00 +0530] \"GET / HTTP/1.0\" 304 -")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Agent \\\"quoted\\\"\"")]
    [TestCase("www.example.com:443 203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 \"-\" \"x\"")]
    [TestCase("This is not a log line")]
    [TestCase("203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1")]
    [TestCase("203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1\" 2xx 12 \"-\" \"x\"")]
    [TestCase("not-an-ip - - [10/Oct/2026:13:55:36 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"x\"")]
    [TestCase("198.51.100.1 - - [01/Jan/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"unterminated")]
    public void The_survey_reads_a_time_from_exactly_the_lines_the_import_parses(string line)
    {
        var parsed = CombinedLogParser.TryParse(line, out var entry);

        Assert.That(CombinedLogParser.TryParseTime(line, out var time), Is.EqualTo(parsed));
        Assert.That(time, Is.EqualTo(parsed ? entry.Time : default));
    }
}
