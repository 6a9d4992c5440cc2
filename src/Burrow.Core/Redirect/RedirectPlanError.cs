namespace Burrow.Core.Redirect;

/// <summary>One thing wrong with a <see cref="RedirectPlan"/>.</summary>
/// <param name="Field">the plan's field in payload spelling (<c>sources</c>, <c>mark</c>, ...), for the payload layer to prefix with its section</param>
/// <param name="Message">what is wrong and what is accepted</param>
internal sealed record RedirectPlanError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
