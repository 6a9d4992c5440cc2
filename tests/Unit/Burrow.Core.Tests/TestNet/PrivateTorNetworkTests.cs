using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Burrow.Tests;

namespace Burrow.Core.Tests.TestNet;

/// <summary>The shared private network works end to end through the reference C tor client.</summary>
[Trait("Category", "Integration")]
public class PrivateTorNetworkTests
{
    private static CancellationToken Within(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    [Fact]
    public void StatusReportsEveryProcessAliveAndTheClientBootstrapped()
    {
        var net = PrivateTorNetwork.Get();
        var r = PrivateTorNetwork.Run(TimeSpan.FromSeconds(30), "status", net.Dir);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("client   bootstrapped", r.Stdout);
        Assert.EndsWith("healthy\n", r.Stdout);
    }

    [Fact]
    public async Task LargeFileThroughTheSocksPortMatchesItsSha256()
    {
        var net = PrivateTorNetwork.Get();
        var got = await Socks5Client.GetAsync(net.SocksEndPoint, net.Http.Address, net.Http.Port, "/large", Within(300));
        Assert.Equal(200, got.Status);
        Assert.Equal(net.Http.LargeSize, got.ContentLength);
        Assert.Equal(net.Http.LargeSize, got.BodyBytes);
        Assert.Equal(net.Http.LargeSha256, got.Sha256);
    }

    [Fact]
    public async Task SmallFileThroughTheSocksPortMatchesItsSha256()
    {
        var net = PrivateTorNetwork.Get();
        var got = await Socks5Client.GetAsync(net.SocksEndPoint, net.Http.Address, net.Http.Port, "/small", Within(60));
        Assert.Equal(200, got.Status);
        Assert.Equal(net.Http.SmallSize, got.BodyBytes);
        Assert.Equal(net.Http.SmallSha256, got.Sha256);
    }

    [Fact]
    public async Task SmallFileByHostNameIsResolvedAtTheExitThroughTheDnsStub()
    {
        var net = PrivateTorNetwork.Get();
        var got = await Socks5Client.GetAsync(net.SocksEndPoint, net.Http.HostName, net.Http.Port, "/small", Within(60));
        Assert.Equal(200, got.Status);
        Assert.Equal(net.Http.SmallSha256, got.Sha256);
    }

    [Fact]
    public async Task SocksResolveAnswersTestNamesAndFailsUnknownOnes()
    {
        var net = PrivateTorNetwork.Get();
        var addr = await Socks5Client.ResolveAsync(net.SocksEndPoint, "www.burrow.test", Within(60));
        Assert.Equal(IPAddress.Parse(net.Http.Address), addr);
        await Assert.ThrowsAsync<SocketException>(() => Socks5Client.ResolveAsync(net.SocksEndPoint, "missing.burrow.test", Within(60)));
    }

    [Fact]
    public async Task DnsPortResolvesTestNamesThroughTheExits()
    {
        var net = PrivateTorNetwork.Get();
        foreach (var name in net.DnsStub.Names)
        {
            var (rcode, answer) = await QueryAAsync(net.DnsEndPoint, name.Name, Within(60));
            Assert.Equal(0, rcode);
            Assert.Equal(IPAddress.Parse(name.Address), answer);
        }
        var (missing, none) = await QueryAAsync(net.DnsEndPoint, "missing.burrow.test", Within(60));
        Assert.Equal(3, missing); // NXDOMAIN
        Assert.Null(none);
    }

    [Fact]
    public void DescriptionListsTheWholeNetworkAndItsConsensusAgrees()
    {
        var net = PrivateTorNetwork.Get();
        Assert.Equal(1, net.FormatVersion);
        Assert.Equal(3, net.Authorities.Count);
        Assert.Equal(7, net.Relays.Count);
        Assert.Equal(2, net.Exits.Count());
        Assert.Equal(2, net.Relays.Count(r => r.Role == "middle"));
        Assert.NotEqual("127.0.0.1", net.Http.Address);
        Assert.Equal(net.VotingInterval * 3, net.ConsensusLifetime);

        foreach (var a in net.Authorities)
        {
            Assert.Matches("^[0-9A-F]{40}$", a.V3ident);
            Assert.Equal($"DirAuthority {a.Nickname} orport={a.OrPort} v3ident={a.V3ident} {a.Address}:{a.DirPort} {a.Fingerprint}", a.DirAuthorityLine);
            Assert.Contains(net.Relays, r => r.Nickname == a.Nickname && r.Role == "authority" && r.Fingerprint == a.Fingerprint);
        }
        Assert.Equal(net.Authorities.Select(a => a.DirAuthorityLine), File.ReadAllLines(net.DirAuthorityFile));

        // The client's cached consensus lists every relay by its RSA identity.
        var listed = File.ReadLines(net.Cache.Consensus)
            .Where(l => l.StartsWith("r ", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[1], p => Convert.ToHexString(Convert.FromBase64String(p[2] + "=")));
        foreach (var r in net.Relays)
        {
            Assert.Matches("^[0-9A-F]{40}$", r.Fingerprint);
            Assert.Equal(32, Convert.FromBase64String(r.Ed25519Id + "=").Length);
            Assert.Equal(r.Fingerprint, listed[r.Nickname]);
            Assert.True(File.Exists(r.LogFile), r.LogFile);
        }
        var certs = File.ReadAllText(net.Cache.Certificates);
        Assert.All(net.Authorities, a => Assert.Contains("fingerprint " + a.V3ident, certs));
        Assert.True(File.Exists(net.Client.ControlCookieFile));
        Assert.Equal(32, File.ReadAllBytes(net.Client.ControlCookieFile).Length);
    }

    [Fact]
    public void TorProcessesRunAsTheRecordedUser()
    {
        var net = PrivateTorNetwork.Get();
        if (Environment.UserName == "root")
            Assert.Equal("debian-tor", net.TorUser);
        foreach (var pid in net.Relays.Select(r => r.Pid).Append(net.Client.Pid))
        {
            var uidLine = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var realUid = int.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
            Assert.Equal(net.TorUid, realUid);
        }
    }

    /// <summary>One A query over UDP; returns the RCODE and the first A record, if any.</summary>
    internal static async Task<(int Rcode, IPAddress? Answer)> QueryAAsync(IPEndPoint server, string name, CancellationToken ct)
    {
        var q = new List<byte> { 0x4b, 0x1d, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            q.Add((byte)label.Length);
            q.AddRange(Encoding.ASCII.GetBytes(label));
        }
        q.AddRange(new byte[] { 0, 0, 1, 0, 1 });
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(server);
        await udp.SendAsync(q.ToArray(), ct);
        var reply = (await udp.ReceiveAsync(ct)).Buffer;
        Assert.Equal(0x4b1d, BinaryPrimitives.ReadUInt16BigEndian(reply));
        var rcode = reply[3] & 0x0f;
        var answers = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(6));
        if (answers == 0)
            return (rcode, null);
        // Skip the question (echoed), then read the first answer's RDATA.
        var pos = 12;
        while (reply[pos] != 0)
            pos += reply[pos] + 1;
        pos += 5;
        pos += (reply[pos] & 0xc0) == 0xc0 ? 2 : SkipName(reply, pos);
        var type = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(pos));
        var rdLength = BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(pos + 8));
        Assert.Equal(1, type);
        Assert.Equal(4, rdLength);
        return (rcode, new IPAddress(reply.AsSpan(pos + 10, 4)));
    }

    private static int SkipName(byte[] m, int pos)
    {
        var start = pos;
        while (m[pos] != 0)
            pos += m[pos] + 1;
        return pos + 1 - start;
    }
}
