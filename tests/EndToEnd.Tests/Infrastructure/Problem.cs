using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alba;

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

    /// <summary>The same expectations as <see cref="ShouldBeProblem"/>, as part of an Alba scenario.</summary>
    public static Scenario ProblemShouldBe(this Scenario scenario, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        scenario.StatusCodeShouldBe(status);
        scenario.ContentTypeShouldBe("application/problem+json");
        scenario.JsonPath("$.code").ShouldBe(code);
        scenario.JsonPath("$.status").ShouldBe((int)status);
        scenario.AssertThat(new FilledIn("type", "title", "traceId"));
        scenario.JsonPath("$.trace_id").ShouldNotExist(); // one spelling only: ASP.NET Core's
        return scenario;
    }

    /// <summary>Each of these top-level fields of the JSON body is a string with something in it.</summary>
    private sealed class FilledIn(params string[] fields) : IScenarioAssertion
    {
        public void Assert(Scenario scenario, AssertionContext context)
        {
            JsonElement problem;
            try
            {
                problem = JsonSerializer.Deserialize<JsonElement>(context.ReadBodyAsString());
            }
            catch (JsonException)
            {
                context.AddFailure("Expected a JSON body");
                return;
            }
            foreach (var field in fields)
            {
                if (problem.ValueKind != JsonValueKind.Object || !problem.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 })
                    context.AddFailure($"Expected the problem's '{field}' to be a non-empty string");
            }
        }
    }
}
