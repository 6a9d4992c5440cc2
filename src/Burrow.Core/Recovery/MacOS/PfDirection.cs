namespace Burrow.Core.Recovery.MacOS;

/// <summary>pf's packet direction (xnu <c>bsd/net/pfvar.h</c>: PF_INOUT 0, PF_IN 1, PF_OUT 2).</summary>
internal enum PfDirection : byte
{
    InOut = 0,
    In = 1,
    Out = 2,
}
