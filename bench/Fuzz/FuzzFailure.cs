namespace Burrow.Fuzz;

/// <summary>An input that made a harness throw something other than its target's typed error.</summary>
public sealed record FuzzFailure(string Target, byte[] Input, Exception Exception)
{
    /// <summary>Where it was thrown (type and top frame), to group repeats of one bug.</summary>
    public string Signature
    {
        get
        {
            var frame = Exception.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "";
            return $"{Exception.GetType().Name} {frame}";
        }
    }

    public override string ToString() =>
        $"{Target}: {Exception.GetType().FullName}: {Exception.Message}\n  input ({Input.Length} bytes, base64): {Convert.ToBase64String(Input.AsSpan(0, Math.Min(Input.Length, 2048)))}\n{Exception.StackTrace}";
}
