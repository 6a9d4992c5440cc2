// Runs the transparent listener under RLIMIT_NOFILE = N (argument 1, default 256) for ListenerFdLimitTests.
// Accepted sockets are held (as long-lived flows would hold them) until the parent says "release"; from then on
// every held and newly accepted socket gets "ok\n" and is closed. Commands on stdin: "stats", "release", "quit".
// Prints "listening PORT" first; "stats" answers "accepted=A held=H failures=F recovered=R first=ERROR".
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Burrow.Core.Transparent;
using Burrow.FdLimitChild;

var limit = args.Length > 0 ? ulong.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 256;
var rlimit = new RLimit { Current = limit, Maximum = limit };
if (Native.setrlimit(Native.RLIMIT_NOFILE, ref rlimit) != 0)
{
    Console.WriteLine($"error setrlimit failed: errno {Marshal.GetLastPInvokeError()}");
    return 1;
}

var held = new ConcurrentQueue<Socket>();
var released = 0;
var accepted = 0;
byte[] ok = "ok\n"u8.ToArray();
void Answer(Socket s)
{
    try
    {
        s.Send(ok);
        s.Shutdown(SocketShutdown.Both);
    }
    catch (SocketException)
    {
    }
    s.Dispose();
}

var log = new CountingLogger();
var listener = new TransparentListener(new IPEndPoint(IPAddress.Loopback, 0), s =>
{
    Interlocked.Increment(ref accepted);
    if (Volatile.Read(ref released) == 1)
        Answer(s);
    else
        held.Enqueue(s);
}, log, backlog: 2048);
await listener.StartAsync(null, CancellationToken.None);
Console.WriteLine($"listening {listener.EndPoint!.Port}");

while (Console.ReadLine() is { } command)
{
    switch (command)
    {
        case "stats":
            Console.WriteLine($"accepted={Volatile.Read(ref accepted)} held={held.Count} failures={log.Failures} recovered={log.Recovered} first={log.FirstError}");
            break;
        case "release":
            Volatile.Write(ref released, 1);
            while (held.TryDequeue(out var s))
                Answer(s);
            Console.WriteLine("released");
            break;
        case "quit":
            await listener.StopAsync();
            return 0;
    }
}
await listener.StopAsync();
return 0;
