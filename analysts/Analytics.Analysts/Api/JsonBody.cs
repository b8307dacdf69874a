using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Analytics.Analysts.Api;

/// <summary>
/// JSON the API reads (a query body, a filters parameter), checked before anything looks inside: at most
/// a bounded size, valid UTF-8, and every string readable. System.Text.Json checks UTF-8 only in what is
/// read, and a string escape that is not valid UTF-16 (a lone surrogate, "\udc00") throws when read: both
/// are turned into a clear problem here instead of a 500 later.
/// </summary>
internal static class JsonBody
{
    /// <summary>The parsed body, or the problem to answer with a 400.</summary>
    public static async Task<(JsonDocument? Document, string? Problem)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, $"The query body may be at most {maxBytes} bytes.");
        }
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var length = 0;
            try
            {
                // Read one byte past the limit, so a chunked body without a length is bounded too.
                while (length <= maxBytes)
                {
                    var read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }
                    length += read;
                }
            }
            catch (Exception e) when (e is BadHttpRequestException or IOException)
            {
                return (null, "The query body could not be read.");
            }
            if (length > maxBytes)
            {
                return (null, $"The query body may be at most {maxBytes} bytes.");
            }
            return Parse(buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses UTF-8 JSON; the document, or the problem.</summary>
    public static (JsonDocument? Document, string? Problem) Parse(ReadOnlyMemory<byte> utf8)
    {
        if (!Utf8.IsValid(utf8.Span))
        {
            return (null, "The body is not valid UTF-8.");
        }
        JsonDocument document;
        try
        {
            // The copy keeps the document valid after the pooled buffer is returned.
            document = JsonDocument.Parse(utf8.ToArray());
        }
        catch (JsonException)
        {
            return (null, "The body is not valid JSON.");
        }
        if (!StringsAreReadable(document.RootElement))
        {
            document.Dispose();
            return (null, "The body holds a string escape that is not valid Unicode (such as a lone surrogate).");
        }
        return (document, null);
    }

    /// <summary>Parses a JSON text from a query-string parameter (already decoded by ASP.NET); null when it is not readable JSON.</summary>
    public static JsonDocument? ParseText(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
        if (!StringsAreReadable(document.RootElement))
        {
            document.Dispose();
            return null;
        }
        return document;
    }

    /// <summary>True when every string value and property name can be read as a string.</summary>
    public static bool StringsAreReadable(JsonElement element)
    {
        try
        {
            Visit(element);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void Visit(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Visit(item);
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Visit(property.Value);
                }
                break;
        }
    }
}
