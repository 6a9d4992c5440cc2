namespace Burrow.Tor.Tests.Client;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider(DateTime utcNow) : TimeProvider
{
    private DateTimeOffset _now = new(DateTime.SpecifyKind(utcNow, DateTimeKind.Utc));

    public override DateTimeOffset GetUtcNow() => _now;

    public DateTime UtcNow
    {
        get => _now.UtcDateTime;
        set => _now = new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }

    public void Advance(TimeSpan by) => _now += by;
}
