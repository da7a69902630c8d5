namespace CarTCds.Rules;

/// <summary>One list of <typeparamref name="T"/> per thread, lent to a rule for the length of one
/// synchronous computation and emptied when given back, so that a rule collecting thousands of values
/// per call (the CRS findings of a 10,000-record chart: about 114 KB of them) does not put a
/// large-object-heap array (85,000 bytes or more) on every call: those bring a full (gen 2) garbage
/// collection every few dozen calls (EngineBenchmarks at 10,000 Observations, tests/load/README.md).
/// The same scheme as the prefetch deduplication set (CarTCds.Hooks, PrefetchResolver).</summary>
/// <remarks>A list lent out is not lent again until given back: a computation that rents while
/// another rental on the same thread is open (the CRS course asks for the plain fever masking on
/// some days) gets a new list. A list not given back is simply collected by the GC. Only value types:
/// a list kept for the thread's next call holds no reference to this patient's records.</remarks>
internal static class ReusedList<T> where T : struct
{
    /// <summary>Largest list (capacity, in elements) kept for the thread's next call; a larger one is
    /// left to the GC, so that one huge chart does not pin its memory to a thread for good.</summary>
    private const int KeptCapacityLimit = 16_384;

    [ThreadStatic] private static List<T>? t_list;

    /// <summary>An empty list: the thread's kept one when it is not lent out, otherwise a new one.</summary>
    public static List<T> Rent()
    {
        var list = t_list ?? [];
        t_list = null;
        return list;
    }

    /// <summary>Gives back a list from <see cref="Rent"/> (null: nothing to give back). The caller
    /// must not use it afterwards.</summary>
    public static void Return(List<T>? list)
    {
        if (list is null || list.Capacity > KeptCapacityLimit) return;
        list.Clear();
        t_list = list;
    }
}
