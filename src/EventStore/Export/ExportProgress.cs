namespace Ledger.EventStore.Export;

/// <summary>How far an export is: the last chain position written, the range's end, and the entries written so far.</summary>
public readonly record struct ExportProgress(long Position, long End, long Entries);
