namespace Ledger.Host.Http;

/// <summary>
/// Query values Wolverine bound to nullable parameters. Wolverine binds a value it cannot parse as null (absent), where
/// minimal APIs refused the request; Ledger keeps refusing it: a misspelt number must not read as "no filter".
/// </summary>
public static class QueryValues
{
    /// <exception cref="BadHttpRequestException">a parameter has a value in the query yet was bound as null: it did not parse.</exception>
    public static void RefuseUnreadable(HttpRequest request, params (string Name, object? Bound)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (name, bound) in parameters)
            if (bound is null && !string.IsNullOrEmpty(request.Query[name]))
                throw new BadHttpRequestException($"The query parameter '{name}' is not a valid value.");
    }
}
