using System.Data.Common;
using CarTCds.Service.Storage;

namespace CarTCds.Service.Tests.Storage;

/// <summary>A test's group-commit write: any commands, as a delegate (holding a batch open, failing on
/// purpose). The service's own write is <see cref="Audit.HookCallWrite"/>.</summary>
internal sealed class DelegateWrite(Func<DbConnection, DbTransaction, Task> write) : GroupWrite
{
    public override Task RunAsync(GroupCommit group, DbConnection connection, DbTransaction transaction) => write(connection, transaction);
}

internal static class DelegateWrites
{
    /// <summary><see cref="GroupCommit.WriteAsync(GroupWrite)"/> of a <see cref="DelegateWrite"/>: done once its
    /// transaction is committed. The delegate must not commit and may run twice (rolled back the first time)
    /// when another write of its batch fails.</summary>
    public static Task WriteAsync(this GroupCommit group, Func<DbConnection, DbTransaction, Task> write) => group.WriteAsync(new DelegateWrite(write));
}
