using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Burrow.Tests;

/// <summary>The private Tor network of tests/TestNet (Debian's C tor on loopback), shared by every
/// test of the process. <see cref="Get"/> uses the network named by BURROW_TESTNET_DIR when it is
/// healthy; otherwise it starts one under &lt;repo&gt;/.testnet/xunit/&lt;basePort&gt; on a base port no
/// other network uses and stops it when the process exits. Thread-safe; the first caller pays the
/// start (~8-12 s), a failed start fails every caller with the same error.</summary>
internal static class PrivateTorNetwork
{
    public const string DirVariable = "BURROW_TESTNET_DIR";

    /// <summary>Base ports handed out to networks started by tests: 20000, 20100, ... (below the
    /// kernel's ephemeral range, away from the script's default 15000).</summary>
    private const int FirstBasePort = 20000;
    private const int LastBasePort = 32600;
    private const int PortSpan = 100;

    private static readonly Lazy<TestNetwork> SharedNetwork = new(AttachOrStart, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly List<FileStream> HeldPortLocks = [];

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // A field missing from network.json is an error here, not a silent null.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static string Script => Path.Combine(TestPaths.RepoRoot, "tests", "TestNet", "testnet");

    /// <summary>The shared network of this test process, started on first use.</summary>
    public static TestNetwork Get() => SharedNetwork.Value;

    /// <summary>Reads DIR/network.json.</summary>
    public static TestNetwork Load(string dir)
    {
        var path = Path.Combine(dir, "network.json");
        return JsonSerializer.Deserialize<TestNetwork>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"{path} holds no network description");
    }

    /// <summary>`testnet status DIR` exited 0: every process alive, the client bootstrapped and
    /// holding a live consensus.</summary>
    public static bool IsHealthy(string dir) => Directory.Exists(dir) && Run(TimeSpan.FromSeconds(30), "status", dir).ExitCode == 0;

    /// <summary>Starts a network in DIR (not shared). It stops by itself when this process ends,
    /// unless another process holds the base port's lock file by then (it reuses DIR).</summary>
    /// <remarks><paramref name="extraArgs"/> go to `testnet start` as they are (e.g. --consensus-params, --node-torrc).</remarks>
    public static TestNetwork Start(string dir, int basePort, int largeSizeMb = 50, int votingInterval = 20, params string[] extraArgs)
    {
        var r = Run(TimeSpan.FromMinutes(4), ["start", dir, "--base-port", basePort.ToString(),
            "--large-size-mb", largeSizeMb.ToString(), "--voting-interval", votingInterval.ToString(),
            "--stop-with-pid", Environment.ProcessId.ToString(), "--stop-lock", LockPath(basePort), .. extraArgs]);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"testnet start {dir} failed (exit {r.ExitCode}):\n{r.Stderr}\n{r.Stdout}");
        return Load(dir);
    }

    public static void Stop(string dir)
    {
        var r = Run(TimeSpan.FromSeconds(60), "stop", dir);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"testnet stop {dir} failed (exit {r.ExitCode}):\n{r.Stderr}\n{r.Stdout}");
    }

    /// <summary>A base port whose whole range is free, reserved for this process by a lock file
    /// in the temp folder (other test processes and worktrees skip it while we live).</summary>
    public static int ReserveBasePort()
    {
        for (var port = FirstBasePort; port <= LastBasePort; port += PortSpan)
        {
            FileStream? lockFile = null;
            try
            {
                // FileShare.None takes an advisory lock: the kernel drops it when this process dies.
                lockFile = new FileStream(LockPath(port), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (RangeIsFree(port))
            {
                lock (HeldPortLocks)
                    HeldPortLocks.Add(lockFile);
                return port;
            }
            lockFile.Dispose();
        }
        throw new InvalidOperationException($"no free range of {PortSpan} ports between {FirstBasePort} and {LastBasePort + PortSpan - 1}");
    }

    /// <summary>The lock file that reserves a base port (flock; tests/Pester/TestNet.ps1 uses the same).</summary>
    public static string LockPath(int basePort) => Path.Combine(Path.GetTempPath(), $"burrow-testnet-{basePort}.lock");

    /// <summary>Runs tests/TestNet/testnet with the arguments; kills it after the timeout.</summary>
    public static TestNetCommandResult Run(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Script);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start bash " + Script);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            // SIGTERM lets `start` stop what it already started.
            Process.Start("kill", ["-TERM", p.Id.ToString()])?.WaitForExit();
            if (!p.WaitForExit(TimeSpan.FromSeconds(15)))
                p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new TestNetCommandResult(124, stdout.Result, stderr.Result + $"\n(killed after {timeout})");
        }
        p.WaitForExit();
        return new TestNetCommandResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static TestNetwork AttachOrStart()
    {
        if (Environment.GetEnvironmentVariable(DirVariable) is { Length: > 0 } given)
        {
            var dir = Path.GetFullPath(given);
            if (IsHealthy(dir))
                return Load(dir);
        }

        var basePort = ReserveBasePort();
        var ownDir = Path.Combine(TestPaths.RepoRoot, ".testnet", "xunit", basePort.ToString());
        Directory.CreateDirectory(ownDir);
        // We hold this base port's lock, so whatever still runs from our folder is an orphan of
        // a test process that died without stopping it.
        Stop(ownDir);
        // Stop at once on a normal exit; the network's own watcher covers a killed process.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Stop(ownDir);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"PrivateTorNetwork: stopping {ownDir} failed: {e.Message}");
            }
        };
        return Start(ownDir, basePort);
    }

    private static bool RangeIsFree(int basePort)
    {
        for (var port = basePort; port < basePort + PortSpan; port++)
        {
            if (!CanBind(IPAddress.Loopback, port, SocketType.Stream, ProtocolType.Tcp) ||
                !CanBind(IPAddress.Loopback, port, SocketType.Dgram, ProtocolType.Udp))
                return false;
        }
        // The HTTP server listens on the test destination address.
        return CanBind(IPAddress.Parse("127.0.0.2"), basePort + 80, SocketType.Stream, ProtocolType.Tcp);
    }

    private static bool CanBind(IPAddress address, int port, SocketType type, ProtocolType protocol)
    {
        using var s = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            // As tor and the servers do: TIME_WAIT leftovers do not count, listeners do.
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

internal sealed record TestNetCommandResult(int ExitCode, string Stdout, string Stderr);

/// <summary>DIR/network.json of a running private network (see tests/TestNet/README.md).</summary>
internal sealed record TestNetwork(
    int FormatVersion,
    string Dir,
    string TorVersion,
    int BasePort,
    int PortSpan,
    int VotingInterval,
    int ConsensusLifetime,
    DateTimeOffset StartedAt,
    bool KeysReused,
    double StartSeconds,
    IReadOnlyDictionary<string, double> Timings,
    string TorUser,
    int TorUid,
    string DirAuthorityFile,
    IReadOnlyList<string> DirAuthorityLines,
    IReadOnlyList<TestNetAuthority> Authorities,
    IReadOnlyList<TestNetRelay> Relays,
    TestNetClient Client,
    TestNetCache Cache,
    TestNetHttp Http,
    TestNetDnsStub DnsStub,
    int? WatcherPid,
    IReadOnlyList<int> TcpPorts,
    IReadOnlyList<int> UdpPorts)
{
    public IPEndPoint SocksEndPoint => new(IPAddress.Parse(Client.Address), Client.SocksPort);
    public IPEndPoint TransEndPoint => new(IPAddress.Parse(Client.Address), Client.TransPort);
    public IPEndPoint DnsEndPoint => new(IPAddress.Parse(Client.Address), Client.DnsPort);
    public IPEndPoint ControlEndPoint => new(IPAddress.Parse(Client.Address), Client.ControlPort);
    public IPEndPoint HttpEndPoint => new(IPAddress.Parse(Http.Address), Http.Port);
    public IEnumerable<TestNetRelay> Exits => Relays.Where(r => r.Role == "exit");

    /// <summary>The DirAuthority lines as one C tor torrc fragment.</summary>
    public string DirAuthorityConfig => string.Join('\n', DirAuthorityLines) + "\n";
}

internal sealed record TestNetAuthority(
    string Nickname,
    string V3ident,
    string Fingerprint,
    string Ed25519Id,
    string Address,
    int OrPort,
    int DirPort,
    string DirAuthorityLine);

/// <summary>A relay of the consensus; Role is "authority", "middle" or "exit".</summary>
internal sealed record TestNetRelay(
    string Nickname,
    string Role,
    string Fingerprint,
    string Ed25519Id,
    string Address,
    int OrPort,
    int DirPort,
    int Pid,
    string DataDirectory,
    string LogFile);

internal sealed record TestNetClient(
    string Address,
    int SocksPort,
    int TransPort,
    int DnsPort,
    int ControlPort,
    string ControlCookieFile,
    int Pid,
    string DataDirectory,
    string LogFile,
    string Torrc);

/// <summary>The C tor client's directory cache files (microdesc consensus, certificates,
/// microdescriptors and their journal; the last two appear as tor writes them).</summary>
internal sealed record TestNetCache(
    string Consensus,
    string Certificates,
    string Microdescriptors,
    string MicrodescriptorsJournal);

internal sealed record TestNetHttp(
    string Address,
    int Port,
    string HostName,
    string BaseUrl,
    string SmallUrl,
    long SmallSize,
    string SmallSha256,
    string LargeUrl,
    long LargeSize,
    string LargeSha256,
    string EchoUrl,
    int Pid)
{
    public Uri SmallUri => new(SmallUrl);
    public Uri LargeUri => new(LargeUrl);
}

internal sealed record TestNetDnsStub(
    string Address,
    int Port,
    int Pid,
    IReadOnlyList<TestNetDnsName> Names);

internal sealed record TestNetDnsName(string Name, string Address);
