using System.Security.Cryptography;
using System.Text;

namespace Ledger.EventStore.Leases;

/// <summary>
/// A PostgreSQL advisory lock key named by text: the first eight bytes of the name's SHA-256, so every process derives
/// the same key from the same name, and different names practically never share one. Each lock's name starts with what
/// it guards (<c>ledger.lease:</c>, <c>ledger.write:</c>, <c>ledger.fiscal:</c>, <c>ledger.migrations:</c>).
/// </summary>
public static class AdvisoryLockKey
{
    public static long For(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0);
    }
}
