using System.Data.Common;
using CarTCds.Hooks.Contract;
using CarTCds.Service.Feedback;
using CarTCds.Service.Storage;

namespace CarTCds.Service.Audit;

/// <summary>One hook call's rows as one group-commit write: the cards its answer registers and its
/// audit record, committed together or lost together. One object per call is the whole request-path
/// cost of the writes (no closures, one completion); hashing the patient id and serialising the
/// findings happen on the writer loop (<see cref="DbAuditLog.InsertAsync"/>, <see cref="DbCardRegistry.InsertAsync"/>).</summary>
/// <param name="audit">Writes <paramref name="record"/>; null: no audit row.</param>
/// <param name="record">The call's audit record.</param>
/// <param name="registry">Registers <paramref name="cards"/>; null: no card rows.</param>
/// <param name="serviceId">The service that issued the cards.</param>
/// <param name="ruleSet">The rule set that produced them.</param>
/// <param name="cards">The cards to register (those without a uuid are skipped).</param>
/// <param name="issuedAt">When they were issued.</param>
/// <param name="outcome">Told of the end (committed or lost) on the writer loop, before the task completes; null: the caller sees the task only.</param>
internal sealed class HookCallWrite(DbAuditLog? audit, HookAuditRecord? record, DbCardRegistry? registry, string serviceId, string ruleSet,
    IReadOnlyList<Card> cards, DateTimeOffset issuedAt, IHookWriteOutcome? outcome) : GroupWrite
{
    /// <summary>The call's audit record, when it writes one.</summary>
    public HookAuditRecord? Record => audit is null ? null : record;

    /// <summary>True when it registers cards.</summary>
    public bool RegistersCards => registry is not null && cards.Count > 0;

    public string ServiceId => serviceId;

    public override async Task RunAsync(GroupCommit group, DbConnection connection, DbTransaction transaction)
    {
        if (RegistersCards) await registry!.InsertAsync(group, connection, transaction, serviceId, ruleSet, cards, issuedAt).ConfigureAwait(false);
        if (Record is { } audited) await audit!.InsertAsync(group, connection, transaction, audited).ConfigureAwait(false);
    }

    protected override void OnCommitted() => outcome?.Committed(this);

    protected override void OnFailed(Exception error) => outcome?.Lost(this, error);
}

/// <summary>Accounts for the end of a <see cref="HookCallWrite"/>, whether or not its caller still waits.</summary>
internal interface IHookWriteOutcome
{
    void Committed(HookCallWrite write);

    void Lost(HookCallWrite write, Exception error);
}
