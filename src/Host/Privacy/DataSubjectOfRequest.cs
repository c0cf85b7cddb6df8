namespace Ledger.Host.Privacy;

/// <summary>
/// The data subject whose personal data a write request carries, as its endpoint names it: the write path keeps it
/// with the request's idempotency key, so erasing the subject purges the key's row (the request's hash and answer).
/// </summary>
public static class DataSubjectOfRequest
{
    private const string Item = "ledger.data_subject";

    public static void Set(HttpContext http, string subjectId)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Items[Item] = subjectId;
    }

    public static string? Get(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Items.TryGetValue(Item, out var subject) ? subject as string : null;
    }
}
