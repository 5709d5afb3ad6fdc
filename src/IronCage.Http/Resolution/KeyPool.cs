using IronCage.Http;

namespace IronCage.Http;

/// <summary>A pool's keys and the order its strategy gives them on one resolve.</summary>
internal sealed class KeyPool(string name, KeyState[] states, PoolStrategy strategy, IKeyHealth health)
{
    private int _cursor = -1;

    public string Name { get; } = name;

    public KeyState[] States { get; } = states;

    public void Order(Span<int> order)
    {
        var count = States.Length;
        if (strategy == PoolStrategy.RoundRobin)
        {
            var start = (int)((uint)Interlocked.Increment(ref _cursor) % (uint)count);
            for (var i = 0; i < count; i++)
            {
                order[i] = (start + i) % count;
            }

            return;
        }

        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        if (strategy is PoolStrategy.LeastUsed or PoolStrategy.MostHeadroom)
        {
            // Insertion sort: pools are small, it is stable (priority order breaks ties) and allocates nothing.
            for (var i = 1; i < count; i++)
            {
                var current = order[i];
                var j = i - 1;
                while (j >= 0 && Before(current, order[j]))
                {
                    order[j + 1] = order[j];
                    j--;
                }

                order[j + 1] = current;
            }
        }
    }

    private bool Before(int candidate, int other) => strategy == PoolStrategy.LeastUsed
        ? States[candidate].UsesThisMinute < States[other].UsesThisMinute
        : health.GetHeadroom(States[candidate].Key) > health.GetHeadroom(States[other].Key);
}
