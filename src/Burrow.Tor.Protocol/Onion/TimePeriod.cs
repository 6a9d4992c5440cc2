// Onion-service time periods (rend-spec-v3 2.2.1 [TIME-PERIODS]): minutes since the epoch, less a
// rotation offset of 12 voting periods, divided by the period length ("hsdir-interval", 30..14400, default 1440).
namespace Burrow.Tor.Protocol.Onion;

/// <summary>One time period: its number and length; the blinded key and HSDir ring depend on both.</summary>
internal readonly record struct TimePeriod(ulong Number, uint LengthMinutes, uint RotationOffsetMinutes)
{
    public const uint DefaultLengthMinutes = 1440;
    public const uint MinLengthMinutes = 30;
    public const uint MaxLengthMinutes = 14400;

    /// <summary>The rotation offset for a voting interval: 12 voting periods (12 hours at the usual 1 hour).</summary>
    public static uint RotationOffsetFor(TimeSpan votingInterval) =>
        (uint)Math.Max(0, (long)(votingInterval.TotalSeconds * 12) / 60);

    /// <summary>The period that contains <paramref name="time"/>.</summary>
    public static TimePeriod At(DateTimeOffset time, uint lengthMinutes = DefaultLengthMinutes, uint rotationOffsetMinutes = 12 * 60)
    {
        // Below 30 only for C tor test networks (HsDirSchedule testing mode), never from a consensus parameter.
        if (lengthMinutes is < 1 or > MaxLengthMinutes)
            throw new ArgumentOutOfRangeException(nameof(lengthMinutes), lengthMinutes, $"a time period is {MinLengthMinutes} to {MaxLengthMinutes} minutes");
        var minutes = time.ToUnixTimeSeconds() / 60 - rotationOffsetMinutes;
        if (minutes < 0)
            throw new ArgumentOutOfRangeException(nameof(time), time, "time periods start after the epoch plus the rotation offset");
        return new TimePeriod((ulong)minutes / lengthMinutes, lengthMinutes, rotationOffsetMinutes);
    }

    /// <summary>When the period starts.</summary>
    public DateTimeOffset Start => DateTimeOffset.UnixEpoch.AddMinutes((double)(Number * LengthMinutes + RotationOffsetMinutes));

    /// <summary>When the next period starts.</summary>
    public DateTimeOffset End => Start.AddMinutes(LengthMinutes);

    public TimePeriod Next => this with { Number = Number + 1 };

    public TimePeriod Previous => this with { Number = Number - 1 };

    public override string ToString() => $"time period {Number} ({LengthMinutes} min, from {Start:u})";
}
