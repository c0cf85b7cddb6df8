using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Ledger.EndToEnd.Tests.Infrastructure;

public static class Problem
{
    /// <summary>Asserts the response is a problem with this status and code, with the fields every problem has.</summary>
    public static async Task<JsonElement> ShouldBeProblem(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        problem.GetProperty("code").GetString().ShouldBe(code, text);
        problem.GetProperty("status").GetInt32().ShouldBe((int)status);
        problem.GetProperty("type").GetString().ShouldNotBeNullOrEmpty();
        problem.GetProperty("title").GetString().ShouldNotBeNullOrEmpty();
        problem.GetProperty("traceId").GetString().ShouldNotBeNullOrEmpty();
        problem.TryGetProperty("trace_id", out _).ShouldBeFalse(text);
        return problem;
    }
}
