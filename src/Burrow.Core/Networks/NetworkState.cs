namespace Burrow.Core.Networks;

public enum NetworkState
{
    Starting,
    Running,
    Stopping,
    Stopped,
    Failed,
}
