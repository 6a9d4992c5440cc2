namespace Burrow.Core.Redirect;

/// <summary>A <see cref="RedirectPlan"/> that cannot be installed; <see cref="Errors"/> names every problem.</summary>
internal sealed class RedirectPlanException : ArgumentException
{
    public RedirectPlanException(IReadOnlyList<RedirectPlanError> errors)
        : base("the redirect plan is not valid: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<RedirectPlanError> Errors { get; }
}
