using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Burrow.Core.Dns;
using Burrow.Core.Flows;
using Burrow.Core.Namespaces;
using Burrow.Core.Tests.Integration;
using Burrow.Core.Tests.Transparent;
using Burrow.Core.Upstreams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Burrow.Core.Tests.Namespaces;

/// <summary>
/// Invoke-BurrowCommand's namespace for real (root, inside the test run's namespace; no Tor: the upstream is a
/// stand-in that takes every stream to a loopback server of this test's namespace): a child's TCP to any address
/// reaches the upstream with its original destination, its DNS reaches Burrow's listener, UDP and ICMP fail and are
/// counted, and the namespace, its table and its listeners are gone afterwards while the host's stay as they were.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CommandNamespaceTests
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_childs_tcp_goes_to_the_upstream_with_its_destination_and_the_flow_carries_the_invocation()
    {
        TestNamespace.Require();
        using var server = new ReverseServer();
        var upstream = new TargetConnector(server.EndPoint);
        var flows = new FlowTable("edge");
        var ns = await CommandNamespace.CreateAsync(Options(41, upstream, flows), CancellationToken.None);
        string output;
        try
        {
            (output, var code) = await RunAsync(ns, "import socket\n" +
                "s = socket.create_connection(('198.51.100.7', 80), timeout=20)\n" +
                "s.sendall(b'hello burrow'); s.shutdown(socket.SHUT_WR)\n" +
                "print(s.recv(100).decode())\n");
            Assert.Equal(0, code);
        }
        finally
        {
            await ns.DisposeAsync();
        }
        Assert.Equal("worrub olleh", output.Trim());
        var request = Assert.Single(upstream.Requests);
        Assert.Equal("198.51.100.7:80", request.Destination);
        Assert.StartsWith("iso|s=invocation=41|", request.IsolationKey, StringComparison.Ordinal);
        var flow = Assert.Single(ns.Flows);
        Assert.Equal(41, flow.Invocation);
        Assert.Equal("edge", flow.Network);
        Assert.Equal(FlowState.Closed, flow.State);
        Assert.Equal(12, flow.BytesUp);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:80"), flow.Destination);
        Assert.Equal(flow.Id, Assert.Single(flows.Snapshot()).Id);
        Assert.True(ns.ReadCounters().RedirectedTcp >= 1);
    }

    [Fact]
    public async Task Udp_and_icmp_fail_inside_and_are_counted_while_dns_reaches_burrows_listener()
    {
        TestNamespace.Require();
        var resolvBefore = File.ReadAllText("/etc/resolv.conf");
        var flows = new FlowTable("edge");
        var ns = await CommandNamespace.CreateAsync(Options(42, new TargetConnector(new IPEndPoint(IPAddress.Loopback, 9)), flows), CancellationToken.None);
        string output;
        CommandNamespaceCounters counters;
        try
        {
            (output, _) = await RunAsync(ns, "import socket, struct\n" +
                "def attempt(name, f):\n" +
                "    try:\n" +
                "        f(); print(name, 'sent')\n" +
                "    except OSError as e:\n" +
                "        print(name, 'failed', e.errno)\n" +
                "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                "attempt('udp', lambda: u.sendto(b'leak', ('192.0.2.10', 9999)))\n" +
                "i = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\n" +
                "ping = struct.pack('!BBHHH', 8, 0, 0xf7ff, 0, 0)\n" +
                "attempt('icmp', lambda: i.sendto(ping, ('198.51.100.1', 0)))\n" +
                "print('resolv', open('/etc/resolv.conf').read().split('nameserver')[1].strip())\n" +
                "print('dns', socket.getaddrinfo('www.burrow.test', 80, socket.AF_INET)[0][4][0])\n");
            counters = ns.ReadCounters();
        }
        finally
        {
            await ns.DisposeAsync();
        }
        Assert.Contains("udp failed 1", output, StringComparison.Ordinal);   // EPERM: the fail-closed filter dropped it
        Assert.Contains("icmp failed 1", output, StringComparison.Ordinal);
        Assert.Contains("resolv 127.0.0.1", output, StringComparison.Ordinal);
        // Automapped: a virtual address of the invocation's own map.
        Assert.Contains("dns 10.", output, StringComparison.Ordinal);
        Assert.Contains("www.burrow.test", ns.DnsNames);
        Assert.True(counters.BlockedUdp >= 1, $"UDP drops counted: {counters}");
        Assert.True(counters.BlockedIcmp >= 1, $"ICMP drops counted: {counters}");
        Assert.Equal(resolvBefore, File.ReadAllText("/etc/resolv.conf"));
    }

    [Fact]
    public async Task Nothing_is_left_after_the_invocation_namespace_table_listeners_or_leftover_processes()
    {
        TestNamespace.Require();
        var tablesBefore = TestNamespace.Run("nft", "list tables");
        var ns = await CommandNamespace.CreateAsync(Options(43, new TargetConnector(new IPEndPoint(IPAddress.Loopback, 9)), new FlowTable("edge")), CancellationToken.None);
        string netns;
        string leftover;
        try
        {
            // The command leaves a daemon behind; as init of its PID namespace its exit takes the daemon with it.
            var (output, code) = await RunAsync(ns, "import os, subprocess\n" +
                "p = subprocess.Popen(['sleep', '300'], start_new_session=True)\n" +
                "print(os.readlink('/proc/self/ns/net'), os.getpid(), p.pid)\n", file: "python3");
            Assert.Equal(0, code);
            var parts = output.Trim().Split(' ');
            netns = parts[0];
            Assert.Equal("1", parts[1]); // init of its own PID namespace
            leftover = parts[2];
            Assert.NotEqual(File.ResolveLinkTarget("/proc/self/ns/net", false)!.ToString(), netns);
            Assert.DoesNotContain("burrow_cmd", tablesBefore, StringComparison.Ordinal);
            Assert.DoesNotContain("burrow_cmd43", TestNamespace.Run("nft", "list tables"), StringComparison.Ordinal); // the table is not in this namespace
        }
        finally
        {
            await ns.DisposeAsync();
        }
        Assert.Empty(ProcessesIn(netns));
        Assert.Equal(tablesBefore, TestNamespace.Run("nft", "list tables"));
    }

    private static CommandNamespaceOptions Options(long invocation, ITorConnector connector, FlowTable flows) => new()
    {
        Invocation = invocation,
        Network = "edge",
        Connector = connector,
        Flows = flows,
        AddressMap = new VirtualAddressMapOptions { Suffixes = ["."] },
        Logger = NullLogger.Instance,
    };

    /// <summary>Runs python3 with <paramref name="script"/> through the launcher in <paramref name="ns"/>; bounded.</summary>
    private static async Task<(string Output, int ExitCode)> RunAsync(CommandNamespace ns, string script, string file = "python3")
    {
        var psi = ChildLauncher.Wrap(Find(file), ["-c", script]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = ns.StartProcess(psi, CancellationToken.None);
        using var timeout = new CancellationTokenSource(ChildTimeout);
        var stdout = p.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = p.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"the child did not exit within {ChildTimeout}");
        }
        var output = await stdout;
        Assert.True(p.ExitCode == 0 || output.Length > 0, "stderr: " + await stderr);
        return (output, p.ExitCode);
    }

    private static string Find(string file) => new[] { "/usr/bin", "/bin", "/usr/local/bin" }.Select(d => Path.Combine(d, file)).First(File.Exists);

    /// <summary>Pids of processes and threads whose network namespace is <paramref name="netns"/> (e.g. "net:[4026532]").</summary>
    private static List<string> ProcessesIn(string netns)
    {
        var found = new List<string>();
        foreach (var task in Directory.EnumerateDirectories("/proc").Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0])))
        {
            IEnumerable<string> threads;
            try { threads = Directory.EnumerateDirectories(Path.Combine(task, "task")).ToArray(); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            foreach (var t in threads)
            {
                try
                {
                    if (File.ResolveLinkTarget(Path.Combine(t, "ns", "net"), false)?.ToString() == netns)
                        found.Add(t);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        return found;
    }

    /// <summary>Takes every stream to one loopback server (the stand-in for Tor) and records what was asked.</summary>
    private sealed class TargetConnector(IPEndPoint target) : ITorConnector
    {
        public readonly List<(string Destination, string IsolationKey)> Requests = [];
        public string Description => "test target";
        public Task StartAsync(IProgress<UpstreamProgress>? progress, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask<UpstreamConnection> ConnectAsync(IPEndPoint destination, string isolationKey, CancellationToken cancellationToken)
            => ConnectCoreAsync(destination.ToString(), isolationKey, cancellationToken);

        public ValueTask<UpstreamConnection> ConnectAsync(string host, int port, string isolationKey, CancellationToken cancellationToken)
            => ConnectCoreAsync($"{host}:{port}", isolationKey, cancellationToken);

        private async ValueTask<UpstreamConnection> ConnectCoreAsync(string destination, string isolationKey, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add((destination, isolationKey));
            var s = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await s.ConnectAsync(target, cancellationToken);
            }
            catch (SocketException e)
            {
                s.Dispose();
                throw new UpstreamException(UpstreamErrorKind.ConnectionRefused, e.Message);
            }
            return new SocketUpstreamConnection(s);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
